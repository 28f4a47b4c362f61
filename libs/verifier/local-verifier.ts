/**
 * Local verification of roomkey access tokens — what a media server embeds (contract §3, issue 12's
 * "local verification" target; the SDK's `RoomkeyVerifier`, §8, will expose it). Plain TypeScript
 * on node:crypto: no NestJS, no jose on the hot path.
 *
 * Fast path: the JWKS is fetched once and its keys imported once as KeyObjects, each with its one
 * allowed algorithm; a token is split and checked for canonical base64url, its header parsed, and
 * its signature verified synchronously with `crypto.verify` before the payload is even decoded.
 * A token naming an unknown `kid` refetches the JWKS at most once per `refetchIntervalMs`
 * (concurrent ones share the fetch); a failed fetch keeps the last good keys.
 *
 * Checks, in order: shape (≤ 8192 characters, three canonical base64url segments), header (a JSON
 * object, `typ` at+jwt, no `crit`, a `kid` of a known key, `alg` the key's own algorithm — so never
 * `none`, never HS*), signature, then claims: `exp` required and not past (beyond the tolerance),
 * `nbf` and `iat` not in the future (beyond the tolerance), `iss` exactly the issuer, `aud` when
 * configured, `sub`/`jti` strings, `perms`/`rooms` string arrays when present; then revocation.
 */
import { verify as verifySignature } from 'node:crypto';
import { splitCompactJws } from './compact-jws';
import { VerificationError } from './errors';
import { importJwks, type Jwks, type VerificationKey } from './keys';
import type { RevocationCheck } from './revocation';

export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
export const DEFAULT_REFETCH_INTERVAL_MS = 5000;

/** The claims of a roomkey access token (contract §3) as this verifier guarantees them; the rest as sent. */
export interface VerifiedClaims {
  iss: string;
  sub: string;
  jti: string;
  exp: number;
  iat?: number;
  nbf?: number;
  aud?: string | string[];
  tid?: string;
  client_id?: string;
  role?: string;
  perms?: string[];
  rooms?: string[];
  env?: string;
  kind?: string;
  scope?: string;
  name?: string;
  image?: string;
  anon_id?: string;
  act?: { sub: string };
  metadata?: Record<string, unknown>;
  [claim: string]: unknown;
}

export interface LocalVerifierOptions {
  /** The tenant's issuer, `{PUBLIC_URL}/realms/{tenant}`; `iss` must equal it. */
  issuer: string;
  /** Fetches the tenant's JWKS (`GET /realms/{t}/protocol/openid-connect/certs`). */
  jwks: () => Promise<Jwks>;
  /** When set, `aud` must be (or contain) this audience, or one of these. */
  audience?: string | readonly string[];
  clockToleranceSeconds?: number;
  /** At most one JWKS fetch per this many milliseconds for unknown kids. */
  refetchIntervalMs?: number;
  /** Revocations to apply after the other checks (e.g. a RevocationState fed by events). */
  revocations?: RevocationCheck;
  /** Current time in milliseconds (tests pass a fake clock). */
  now?: () => number;
}

type Header = { alg?: unknown; kid?: unknown; typ?: unknown; crit?: unknown };
const MAX_CACHED_HEADERS = 32;

export class LocalVerifier {
  private keys: ReadonlyMap<string, VerificationKey> = new Map();
  private readonly headers = new Map<string, Header>();
  private fetching: Promise<void> | undefined;
  private lastFetchStartedAt = -Infinity;
  private lastFetchError: unknown;
  private fetchCount = 0;
  private readonly issuer: string;
  private readonly audiences: readonly string[] | undefined;
  private readonly toleranceSeconds: number;
  private readonly refetchIntervalMs: number;
  private readonly now: () => number;

  constructor(private readonly options: LocalVerifierOptions) {
    if (typeof options.issuer !== 'string' || options.issuer.length === 0) throw new TypeError('LocalVerifier: issuer is required');
    if (typeof options.jwks !== 'function') throw new TypeError('LocalVerifier: jwks must be a function returning the JWKS');
    this.issuer = options.issuer;
    this.audiences = options.audience === undefined ? undefined : typeof options.audience === 'string' ? [options.audience] : [...options.audience];
    this.toleranceSeconds = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
    this.refetchIntervalMs = options.refetchIntervalMs ?? DEFAULT_REFETCH_INTERVAL_MS;
    this.now = options.now ?? Date.now;
  }

  /** Fetches the JWKS now (e.g. at start-up); resolves once the keys are in, rejects when the fetch fails. */
  async refresh(): Promise<void> {
    await this.fetchKeys();
    if (this.lastFetchError !== undefined) throw this.lastFetchError;
  }

  /** The claims of a valid, unrevoked token; rejects with VerificationError (`invalid_token`) otherwise. */
  verify(token: string): Promise<VerifiedClaims> {
    let parsed: ParsedToken;
    try {
      parsed = this.parse(token);
      const key = this.keys.get(parsed.kid);
      if (key) return Promise.resolve(this.check(parsed, key));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.verifyWithUnknownKid(parsed);
  }

  /**
   * As `verify`, synchronously, with the keys already fetched: a token whose kid is not among them
   * is refused (reason `unknown kid`) without a fetch. For hot paths that cannot await.
   */
  verifySync(token: string): VerifiedClaims {
    const parsed = this.parse(token);
    const key = this.keys.get(parsed.kid);
    if (!key) throw new VerificationError('unknown kid');
    return this.check(parsed, key);
  }

  /** True when the token grants `permission` (in `perms`) in `room` (no `rooms` claim, or `rooms` lists it). */
  can(claims: Pick<VerifiedClaims, 'perms' | 'rooms'>, permission: string, room: string): boolean {
    return can(claims, permission, room);
  }

  /** The kids currently known. */
  get knownKids(): string[] {
    return [...this.keys.keys()];
  }

  /** How many JWKS fetches were started (for tests and diagnostics). */
  get jwksFetches(): number {
    return this.fetchCount;
  }

  private async verifyWithUnknownKid(parsed: ParsedToken): Promise<VerifiedClaims> {
    if (this.fetching || this.now() - this.lastFetchStartedAt >= this.refetchIntervalMs) await this.fetchKeys();
    const key = this.keys.get(parsed.kid);
    if (!key) throw new VerificationError(this.lastFetchError !== undefined ? 'unknown kid (JWKS unavailable)' : 'unknown kid');
    return this.check(parsed, key);
  }

  /** One fetch at a time; callers arriving while it runs share it. Never rejects: a failure keeps the last good keys. */
  private fetchKeys(): Promise<void> {
    if (this.fetching) return this.fetching;
    this.lastFetchStartedAt = this.now();
    this.fetchCount++;
    const fetching = (async () => {
      try {
        const jwks = await this.options.jwks();
        this.keys = importJwks(jwks, this.keys);
        this.lastFetchError = undefined;
      } catch (error) {
        this.lastFetchError = error;
      }
    })();
    this.fetching = fetching.finally(() => {
      this.fetching = undefined;
    });
    return this.fetching;
  }

  /** Shape and header; throws VerificationError. */
  private parse(token: string): ParsedToken {
    const segments = splitCompactJws(token);
    if (!segments) throw new VerificationError('not a compact JWS in canonical base64url');
    const header = this.decodeHeader(segments[0]);
    if (!header) throw new VerificationError('malformed header');
    if (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== ACCESS_TOKEN_TYPE) throw new VerificationError('typ is not at+jwt');
    // No extension is understood, so any critical one is refused (RFC 7515 §4.1.11).
    if (header.crit !== undefined) throw new VerificationError('unsupported crit header');
    if (typeof header.alg !== 'string' || typeof header.kid !== 'string') throw new VerificationError('alg or kid missing');
    return { token, header, kid: header.kid, alg: header.alg, signingInputLength: segments[0].length + 1 + segments[1].length, payload: segments[1], signature: segments[2] };
  }

  /**
   * Every token of one key carries the same header segment, so its parse is kept: a few entries,
   * cleared when full (a flood of distinct headers costs what no cache would, never memory).
   */
  private decodeHeader(segment: string): Header | undefined {
    const cached = this.headers.get(segment);
    if (cached) return cached;
    const header = decodeJson(segment) as Header | undefined;
    if (!header) return undefined;
    if (this.headers.size >= MAX_CACHED_HEADERS) this.headers.clear();
    this.headers.set(segment, Object.freeze(header));
    return header;
  }

  /** Algorithm, signature, claims, revocation; throws VerificationError. */
  private check(parsed: ParsedToken, key: VerificationKey): VerifiedClaims {
    if (parsed.alg !== key.alg) throw new VerificationError('algorithm not allowed for the key');
    const signature = Buffer.from(parsed.signature, 'base64url');
    if (signature.length !== key.signatureLength) throw new VerificationError('bad signature');
    const signingInput = Buffer.from(parsed.token.slice(0, parsed.signingInputLength), 'latin1');
    let valid: boolean;
    try {
      valid = verifySignature(key.digest, signingInput, key.verifyKey, signature);
    } catch {
      valid = false;
    }
    if (!valid) throw new VerificationError('bad signature');
    const claims = decodeJson(parsed.payload) as Record<string, unknown> | undefined;
    if (!claims) throw new VerificationError('payload is not a JSON object');
    this.checkClaims(claims);
    if (this.options.revocations?.isRevoked(claims, key.kid)) throw new VerificationError('revoked');
    return claims as VerifiedClaims;
  }

  private checkClaims(c: Record<string, unknown>): void {
    const now = this.now() / 1000;
    const tolerance = this.toleranceSeconds;
    if (!isNumericDate(c.exp)) throw new VerificationError('exp missing or not a number');
    if (c.exp <= now - tolerance) throw new VerificationError('expired');
    if (c.nbf !== undefined) {
      if (!isNumericDate(c.nbf)) throw new VerificationError('nbf not a number');
      if (c.nbf > now + tolerance) throw new VerificationError('not yet valid (nbf)');
    }
    if (c.iat !== undefined) {
      if (!isNumericDate(c.iat)) throw new VerificationError('iat not a number');
      if (c.iat > now + tolerance) throw new VerificationError('issued in the future (iat)');
    }
    if (c.iss !== this.issuer) throw new VerificationError('wrong issuer');
    if (this.audiences && !audienceMatches(c.aud, this.audiences)) throw new VerificationError('wrong audience');
    if (typeof c.sub !== 'string' || typeof c.jti !== 'string') throw new VerificationError('sub or jti missing');
    if (c.perms !== undefined && !isStringArray(c.perms)) throw new VerificationError('bad perms');
    if (c.rooms !== undefined && !isStringArray(c.rooms)) throw new VerificationError('bad rooms');
  }
}

/** True when the token grants `permission` (in `perms`) in `room` (no `rooms` claim, or `rooms` lists it). */
export function can(claims: { perms?: unknown; rooms?: unknown }, permission: string, room: string): boolean {
  if (!Array.isArray(claims.perms) || !claims.perms.includes(permission)) return false;
  if (claims.rooms === undefined) return true;
  return Array.isArray(claims.rooms) && claims.rooms.includes(room);
}

interface ParsedToken {
  token: string;
  header: Header;
  kid: string;
  alg: string;
  signingInputLength: number;
  payload: string;
  signature: string;
}

/** A base64url segment holding a JSON object; undefined for anything else. */
function decodeJson(segment: string): object | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** As jose and RFC 8725 §3.11: compared case-insensitively, `application/` optional. */
function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function audienceMatches(aud: unknown, expected: readonly string[]): boolean {
  if (typeof aud === 'string') return expected.includes(aud);
  return Array.isArray(aud) && aud.some((a) => typeof a === 'string' && expected.includes(a));
}
