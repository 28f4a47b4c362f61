/**
 * Access-token claims (contract §3, RFC 9068 profile) and their runtime schema. Every verifier runs
 * `parseAccessTokenClaims` after the signature checks, so a token whose claims are not roomkey's
 * shape is rejected even when its signature is good.
 */
import { InvalidRequestError, InvalidTokenError } from '@roomkey/errors';
import { MAX_ROOMS } from './lifetimes';
import { SCOPE_TOKEN_PATTERN } from './oauth';
import { Permission, Role, isPermission, isRole } from './roles';
import {
  ANONYMOUS_SUBJECT,
  ROOM_ID_PATTERN,
  readDisplayText,
  readEnum,
  readRole,
  readRooms,
  readText,
  type Body,
} from './validation';


const UTF8 = new TextEncoder();
export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const DEFAULT_AUDIENCE = 'roomkey';
export const CLOCK_TOLERANCE_SECONDS = 30;

export const TOKEN_KINDS = ['user', 'guest', 'anonymous', 'service'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

export const ENVIRONMENTS = ['production', 'development'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** RFC 8693 §4.1 actor: who acts for the subject; a chain of delegation nests the earlier actors in `act`. */
export interface Actor {
  sub: string;
  act?: Actor;
}
/** How deep a delegation chain may nest (`act` inside `act`). */
export const MAX_ACTOR_DEPTH = 8;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** Optional partner data (contract §3): a JSON object of at most MAX_METADATA_BYTES serialized. */
export type TokenMetadata = { [key: string]: JsonValue };
export const MAX_METADATA_BYTES = 2048;

/**
 * What a caller may ask the issuer to put in a token: everything but the claims the issuer alone
 * sets (ISSUER_CLAIMS). Built by the factories in `token-content.ts`, checked by `parseTokenContent`
 * and turned into a token by the issuer's one builder (TokenSigner), which adds iss, tid, iat, exp,
 * jti and the role's perms. `aud` defaults to `roomkey` there.
 */
export interface TokenContent {
  sub: string;
  kind: TokenKind;
  client_id: string;
  aud?: string | string[];
  nbf?: number;
  role?: Role;
  rooms?: string[];
  env?: Environment;
  scope?: string;
  name?: string;
  image?: string;
  anon_id?: string;
  act?: Actor;
  metadata?: TokenMetadata;
}

/** Claims only the issuer sets; a request naming one of them is refused (400 naming it). */
export const ISSUER_CLAIMS = ['iss', 'tid', 'iat', 'exp', 'jti', 'perms'] as const;
export type IssuerClaim = (typeof ISSUER_CLAIMS)[number];
/** Claims a caller may request (the keys of TokenContent). */
export const TOKEN_CONTENT_CLAIMS = [
  'sub',
  'kind',
  'client_id',
  'aud',
  'nbf',
  'role',
  'rooms',
  'env',
  'scope',
  'name',
  'image',
  'anon_id',
  'act',
  'metadata',
] as const satisfies readonly (keyof TokenContent)[];

export interface AccessTokenClaims extends TokenContent {
  iss: string;
  aud: string | string[];
  iat: number;
  exp: number;
  jti: string;
  tid: string;
  perms?: Permission[];
}

/** `{PUBLIC_URL}/realms/{tenant}`: the `iss` of every token of that tenant. */
export function issuerUrl(publicUrl: string, tenant: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/realms/${tenant}`;
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function check(condition: unknown, reason: string): asserts condition {
  if (!condition) throw new InvalidTokenError(reason);
}

/** Validates a decoded payload against the claim schema; throws InvalidTokenError otherwise. */
export function parseAccessTokenClaims(payload: unknown): AccessTokenClaims {
  check(typeof payload === 'object' && payload !== null && !Array.isArray(payload), 'payload is not an object');
  const c = payload as Record<string, unknown>;
  check(isString(c.iss) && isString(c.sub) && isString(c.jti) && isString(c.tid) && isString(c.client_id), 'missing string claim');
  check(isString(c.aud) || (Array.isArray(c.aud) && c.aud.length > 0 && c.aud.every(isString)), 'bad aud');
  check(isTime(c.iat) && isTime(c.exp) && c.exp > c.iat, 'bad iat/exp');
  check(c.nbf === undefined || isTime(c.nbf), 'bad nbf');
  check((TOKEN_KINDS as readonly unknown[]).includes(c.kind), 'bad kind');
  check(c.role === undefined || isRole(c.role), 'bad role');
  check(c.perms === undefined || (Array.isArray(c.perms) && c.perms.every(isPermission)), 'bad perms');
  check(c.role === undefined || Array.isArray(c.perms), 'role without perms');
  check(
    c.rooms === undefined ||
      (Array.isArray(c.rooms) && c.rooms.length > 0 && c.rooms.every((r) => typeof r === 'string' && ROOM_ID_PATTERN.test(r))),
    'bad rooms',
  );
  check(c.env === undefined || (ENVIRONMENTS as readonly unknown[]).includes(c.env), 'bad env');
  for (const field of ['scope', 'name', 'image', 'anon_id'] as const) {
    check(c[field] === undefined || typeof c[field] === 'string', `bad ${field}`);
  }
  check(c.act === undefined || (typeof c.act === 'object' && c.act !== null && isString((c.act as { sub?: unknown }).sub)), 'bad act');
  check(c.kind !== 'anonymous' || isString(c.anon_id), 'anonymous token without anon_id');
  return c as unknown as AccessTokenClaims;
}

/** An audience: 1–255 printable ASCII characters without spaces (as an OAuth client's audiences). */
export const AUDIENCE_PATTERN = /^[\x21-\x7E]{1,255}$/;
const MAX_AUDIENCES = 50;
/** `scope`: space-separated scope tokens (RFC 6749 §3.3). */
const SCOPE_TOKEN = SCOPE_TOKEN_PATTERN.source.replace(/^\^|\$$/g, '');
const SCOPE_PATTERN = new RegExp(`^${SCOPE_TOKEN}(?: ${SCOPE_TOKEN})*$`);
const MAX_SCOPE_LENGTH = 8192;
const MAX_ID_LENGTH = 255;

const absent = (value: unknown): value is undefined | null => value === undefined || value === null;

function claimError(claim: string, sentence: string): InvalidRequestError {
  return new InvalidRequestError(`Claim '${claim}' ${sentence}`, claim);
}

function readAudience(c: Body): string | string[] | undefined {
  const value = c.aud;
  if (absent(value)) return undefined;
  const hint = `must be an audience (1–255 printable characters without spaces) or a list of 1–${MAX_AUDIENCES} of them`;
  if (typeof value === 'string') {
    if (!AUDIENCE_PATTERN.test(value)) throw claimError('aud', hint);
    return value;
  }
  if (!Array.isArray(value) || value.length < 1 || value.length > MAX_AUDIENCES) throw claimError('aud', hint);
  for (const item of value) {
    if (typeof item !== 'string' || !AUDIENCE_PATTERN.test(item)) throw claimError('aud', hint);
  }
  return [...new Set(value as string[])];
}

function readNotBefore(c: Body): number | undefined {
  const value = c.nbf;
  if (absent(value)) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw claimError('nbf', 'must be a whole number of seconds since the epoch');
  }
  return value;
}

const isPlainObject = (value: unknown): value is Body => {
  const prototype = typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.getPrototypeOf(value) : undefined;
  return prototype === Object.prototype || prototype === null;
};

function readAct(c: Body, depth = 1): Actor | undefined {
  const act = c.act;
  if (absent(act)) return undefined;
  if (!isPlainObject(act)) throw claimError('act', "must be an object {\"sub\": …} naming the actor");
  const extra = Object.keys(act).find((key) => key !== 'sub' && key !== 'act');
  if (extra !== undefined) throw claimError('act', `may hold only 'sub' and an earlier actor 'act', not '${extra}'`);
  if (depth > MAX_ACTOR_DEPTH) throw claimError('act', `may nest at most ${MAX_ACTOR_DEPTH} actors`);
  const sub = readText({ 'act.sub': act.sub }, 'act.sub', { max: MAX_ID_LENGTH });
  const earlier = readAct(act, depth + 1);
  return earlier ? { sub, act: earlier } : { sub };
}

function isJsonValue(value: unknown): value is JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  if (typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && Object.values(value).every(isJsonValue);
}

/** A request's `metadata` checked now (shape and size) though the token is made later: the login accept. */
export function parseTokenMetadata(value: unknown): TokenMetadata | undefined {
  return readMetadata({ metadata: value });
}

function readMetadata(c: Body): TokenMetadata | undefined {
  const value = c.metadata;
  if (absent(value)) return undefined;
  if (!isPlainObject(value)) throw claimError('metadata', 'must be a JSON object');
  let serialized: string;
  try {
    serialized = JSON.stringify(value);
  } catch {
    throw claimError('metadata', 'must be a JSON object');
  }
  // Measure first, so a large object is refused before it is walked.
  if (UTF8.encode(serialized).length > MAX_METADATA_BYTES) {
    throw claimError('metadata', `must be at most ${MAX_METADATA_BYTES} bytes serialized as JSON`);
  }
  if (!isJsonValue(value)) throw claimError('metadata', 'must be a JSON object (strings, finite numbers, booleans, null, arrays, objects)');
  return JSON.parse(serialized) as TokenMetadata;
}

/**
 * The one runtime check of what a caller asks to put in a token (mint requests over NATS and every
 * token path inside the issuer). Refuses the issuer's own claims and any claim the contract does not
 * name, and checks each field with the request validators, so a bad claim is a 400
 * `invalid_request` naming it, never a 500. Returns a fresh object holding only the known claims.
 * `field` names where the claims sit in a request (the mint request's `claims`), for a non-object.
 */
export function parseTokenContent(value: unknown, field?: string): TokenContent {
  if (!isPlainObject(value)) throw new InvalidRequestError(`${field ? `Field '${field}'` : 'Token claims'} must be a JSON object`, field);
  const c = value;
  for (const key of Object.keys(c)) {
    if ((ISSUER_CLAIMS as readonly string[]).includes(key)) throw claimError(key, 'is set by the issuer and may not be requested');
    if (!(TOKEN_CONTENT_CLAIMS as readonly string[]).includes(key)) {
      throw new InvalidRequestError(`Unknown claim '${key}'; allowed claims are ${TOKEN_CONTENT_CLAIMS.join(', ')}`, key);
    }
  }
  const kind = readEnum(c, 'kind', TOKEN_KINDS);
  const sub = readText(c, 'sub', { max: MAX_ID_LENGTH });
  if ((kind === 'anonymous') !== (sub === ANONYMOUS_SUBJECT)) {
    throw claimError('sub', `must be '${ANONYMOUS_SUBJECT}' for an anonymous token, and only for one`);
  }
  const client_id = readText(c, 'client_id', { max: MAX_ID_LENGTH });
  const aud = readAudience(c);
  const nbf = readNotBefore(c);
  const role = absent(c.role) ? undefined : readRole(c);
  const rooms = readRooms(c, 'rooms', { required: false, max: MAX_ROOMS });
  if (kind === 'anonymous' && rooms === undefined) throw claimError('rooms', `is required for an anonymous token: name 1–${MAX_ROOMS} rooms`);
  const env = absent(c.env) ? undefined : readEnum(c, 'env', ENVIRONMENTS);
  const scope = readText(c, 'scope', { max: MAX_SCOPE_LENGTH, optional: true, pattern: SCOPE_PATTERN, patternHint: 'must be space-separated scope tokens' });
  const name = readDisplayText(c, 'name');
  const image = readDisplayText(c, 'image');
  const anon_id = readText(c, 'anon_id', { max: MAX_ID_LENGTH, optional: true });
  if ((kind === 'anonymous') !== (anon_id !== undefined)) {
    throw claimError('anon_id', kind === 'anonymous' ? 'is required for an anonymous token' : 'is only for anonymous tokens');
  }
  const act = readAct(c);
  const metadata = readMetadata(c);

  const content: TokenContent = { sub, kind, client_id };
  if (aud !== undefined) content.aud = aud;
  if (nbf !== undefined) content.nbf = nbf;
  if (role !== undefined) content.role = role;
  if (rooms !== undefined) content.rooms = rooms;
  if (env !== undefined) content.env = env;
  if (scope !== undefined) content.scope = scope;
  if (name !== undefined) content.name = name;
  if (image !== undefined) content.image = image;
  if (anon_id !== undefined) content.anon_id = anon_id;
  if (act !== undefined) content.act = act;
  if (metadata !== undefined) content.metadata = metadata;
  return content;
}
