/**
 * In-memory stand-ins for the identity service's ports, for unit tests only (the integration tests
 * run the real issuer, NATS KV and JetStream).
 */
import {
  DEFAULT_AUDIENCE,
  type AccessTokenClaims,
  type AuthenticateApiKeyRequest,
  type AuthenticatedApiKey,
  type Environment,
  type EventType,
  type MintTokenRequest,
  type MintedToken,
  type TenantView, DEFAULT_ROLE_MATRIX, permissionsFor } from '@roomkey/contracts';
import { InvalidTokenError, UnauthorizedError, UnavailableError } from '@roomkey/errors';
import type { EventFields, HitResult, RateLimitRule } from '@roomkey/nats';
import type { Versioned } from '@roomkey/nats';
import type { Clock, EventSink, InviteRecord, InviteStore, IssuerClient, RateLimiter } from '../ports';

export class FakeClock implements Clock {
  constructor(public time: number) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

export function tenantView(shortcode: string, switches: Partial<Pick<TenantView, 'guestAccess' | 'anonymousAccess'>> = {}): TenantView {
  return {
    shortcode,
    name: `Tenant ${shortcode}`,
    loginUrl: null,
    roleMatrix: DEFAULT_ROLE_MATRIX,
    guestAccess: false,
    anonymousAccess: false,
    signingAlg: 'ES256',
    createdAt: new Date(0).toISOString(),
    ...switches,
  };
}

interface FakeKey {
  secret: string;
  environment: Environment;
  tenant: TenantView;
}

/** Authenticates registered keys, "mints" by echoing the claims, and verifies registered tokens. */
export class FakeIssuer implements IssuerClient {
  readonly keys = new Map<string, FakeKey>();
  readonly tokens = new Map<string, AccessTokenClaims>();
  readonly minted: MintTokenRequest[] = [];
  readonly authentications: AuthenticateApiKeyRequest[] = [];
  /** The next mint calls fail with 503 while this is above 0. */
  failNextMints = 0;
  private counter = 0;

  constructor(private readonly clock: Clock) {}

  addKey(apiKey: string, key: FakeKey): void {
    this.keys.set(apiKey, key);
  }

  /** A token the fake verifies, with claims as a HOST of `tenant` would have them. */
  addToken(token: string, claims: Partial<AccessTokenClaims> & { tid: string }): AccessTokenClaims {
    const iat = Math.floor(this.clock.now() / 1000);
    const full: AccessTokenClaims = {
      iss: `http://roomkey.test/realms/${claims.tid}`,
      sub: 'host-1',
      aud: DEFAULT_AUDIENCE,
      iat,
      exp: iat + 3600,
      jti: `jti-${token}`,
      client_id: 'rk_prod_inviter',
      kind: 'user',
      ...claims,
    };
    this.tokens.set(token, full);
    return full;
  }

  async authenticateApiKey(request: AuthenticateApiKeyRequest): Promise<AuthenticatedApiKey> {
    this.authentications.push(request);
    const key = this.keys.get(request.apiKey);
    if (request.secret === undefined) {
      if (!key) throw new UnauthorizedError('Invalid API key');
      return { apiKey: request.apiKey, environment: key.environment, secretVerified: false, tenant: key.tenant };
    }
    if (!key || key.secret !== request.secret) throw new UnauthorizedError('Invalid API key or secret');
    return { apiKey: request.apiKey, environment: key.environment, secretVerified: true, tenant: key.tenant };
  }

  async mint(request: MintTokenRequest): Promise<MintedToken> {
    if (this.failNextMints > 0) {
      this.failNextMints--;
      throw new UnavailableError('The issuer service did not answer in time');
    }
    this.minted.push(request);
    const iat = Math.floor(this.clock.now() / 1000);
    const claims = {
      iss: `http://roomkey.test/realms/${request.tenant}`,
      aud: DEFAULT_AUDIENCE,
      ...request.claims,
      // As the issuer's signer does: permissions come from the role (default matrix here).
      ...(request.claims.role ? { perms: permissionsFor(request.claims.role, request.claims.env ?? 'production') } : {}),
      iat,
      exp: iat + request.ttlSeconds,
      jti: `jti-${++this.counter}`,
      tid: request.tenant,
    } as AccessTokenClaims;
    return { accessToken: `token-${this.counter}`, expiresIn: request.ttlSeconds, expiresAt: new Date(claims.exp * 1000).toISOString(), claims };
  }

  async verify(token: string): Promise<AccessTokenClaims> {
    const claims = this.tokens.get(token);
    if (!claims || claims.exp * 1000 <= this.clock.now()) throw new InvalidTokenError();
    return claims;
  }
}

/**
 * Invites in a Map with per-key revisions and the same compare-and-set contract as the KV bucket.
 * Every call yields to the event loop first, so concurrent redemptions interleave as on NATS.
 */
export class InMemoryInviteStore implements InviteStore {
  readonly entries = new Map<string, Versioned<InviteRecord>>();
  private revision = 0;
  /** Makes the next `update` calls lose the race (as if another replica wrote first). */
  conflictsToInject = 0;
  writes = 0;

  async create(key: string, invite: InviteRecord): Promise<boolean> {
    await Promise.resolve();
    if (this.entries.has(key)) return false;
    this.entries.set(key, { value: structuredClone(invite), revision: ++this.revision });
    this.writes++;
    return true;
  }

  async get(key: string): Promise<Versioned<InviteRecord> | null> {
    await Promise.resolve();
    const stored = this.entries.get(key);
    return stored ? structuredClone(stored) : null;
  }

  async update(key: string, invite: InviteRecord, revision: number): Promise<boolean> {
    await Promise.resolve();
    if (this.conflictsToInject > 0) {
      this.conflictsToInject--;
      const current = this.entries.get(key);
      if (current) current.revision = ++this.revision; // someone else wrote: the caller's revision is stale
      return false;
    }
    const current = this.entries.get(key);
    if (!current || current.revision !== revision) return false;
    this.entries.set(key, { value: structuredClone(invite), revision: ++this.revision });
    this.writes++;
    return true;
  }

  only(): InviteRecord {
    if (this.entries.size !== 1) throw new Error(`expected one invite, found ${this.entries.size}`);
    return [...this.entries.values()][0].value;
  }
}

/** Fixed windows in memory, with the SharedRateLimiter's answers (a key over its limit is refused until its window ends). */
export class InMemoryRateLimiter implements RateLimiter {
  readonly windows = new Map<string, { start: number; count: number; limit: number; windowMs: number }>();

  constructor(private readonly clock: Clock) {}

  retryAfter(scope: string, id: string): number | undefined {
    const state = this.windows.get(`${scope}/${id}`);
    if (!state || state.count <= state.limit) return undefined;
    const remaining = state.start + state.windowMs - this.clock.now();
    return remaining > 0 ? Math.ceil(remaining / 1000) : undefined;
  }

  async hit(scope: string, id: string, rule: RateLimitRule): Promise<HitResult> {
    const key = `${scope}/${id}`;
    const now = this.clock.now();
    const windowMs = rule.windowSeconds * 1000;
    const current = this.windows.get(key);
    const state =
      current && now - current.start < windowMs
        ? { ...current, count: current.count + 1 }
        : { start: now, count: 1, limit: rule.limit, windowMs };
    this.windows.set(key, state);
    if (state.count <= rule.limit) return { count: state.count };
    return { count: state.count, retryAfterSeconds: Math.max(1, Math.ceil((state.start + windowMs - now) / 1000)) };
  }

  /** Hits counted in `scope/id`'s current window. */
  count(scope: string, id: string): number {
    return this.windows.get(`${scope}/${id}`)?.count ?? 0;
  }

  /** Hits counted over every key. */
  total(): number {
    return [...this.windows.values()].reduce((sum, w) => sum + w.count, 0);
  }
}

export class RecordingEventSink implements EventSink {
  readonly events: Array<{ tenant: string; type: EventType; fields: EventFields }> = [];
  failing = false;

  async publish(tenant: string, type: EventType, fields: EventFields = {}): Promise<void> {
    if (this.failing) throw new UnavailableError('NATS is down');
    this.events.push({ tenant, type, fields });
  }
}
