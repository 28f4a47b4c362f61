/**
 * The identity service's ports: the flows depend on these, `infra.module.ts` binds the NATS
 * adapters (issuer over request-reply, JetStream KV, the shared rate limiter, JetStream events)
 * and unit tests bind in-memory fakes (see `testing/`).
 */
import type {
  AccessTokenClaims,
  AuthenticateApiKeyRequest,
  AuthenticatedApiKey,
  Environment,
  MintTokenRequest,
  MintedToken,
  Role,
} from '@roomkey/contracts';
import type { VersionedStore, RequestContext } from '@roomkey/nats';

/**
 * What identity asks of the issuer: it never holds signing keys itself. Each call names the request
 * it is made for (its id and span travel on).
 */
export interface IssuerClient {
  authenticateApiKey(request: AuthenticateApiKeyRequest, context: RequestContext): Promise<AuthenticatedApiKey>;
  mint(request: MintTokenRequest, context: RequestContext): Promise<MintedToken>;
  /** The claims of a valid roomkey access token (its own `tid` names the tenant); 401 otherwise. */
  verify(token: string, context: RequestContext): Promise<AccessTokenClaims>;
}

/** An invite as stored. Times are milliseconds since the epoch. The code itself is never stored. */
export interface InviteRecord {
  /** Public id of the invite (events name it); not the code. */
  id: string;
  tenant: string;
  role: Role;
  /** Absent: every room of the tenant. */
  rooms?: string[];
  maxUses: number;
  uses: number;
  createdAt: number;
  expiresAt: number;
  inviter: {
    sub: string;
    /** The inviter token's client_id: redeemed tokens carry it. */
    clientId: string;
    /** The inviter token's env: redeemed tokens carry it and its limits. */
    env?: Environment;
  };
}

/**
 * Invites shared by every identity replica, keyed by the code's hash. `update` is a compare-and-set
 * on the revision, so two replicas redeeming the same invite at once cannot both count the same use.
 */
export type InviteStore = VersionedStore<InviteRecord>;

/** Counters shared by every replica (`SharedRateLimiter`); `retryAfter` answers from memory. */
export type { RateLimiter } from '@roomkey/nats';

export type { EventSink } from '@roomkey/nats';

export interface Clock {
  now(): number;
}

export const IDENTITY_CONFIG = Symbol('IdentityConfig');
export const ISSUER_CLIENT = Symbol('IssuerClient');
export const INVITE_STORE = Symbol('InviteStore');
export const RATE_LIMITER = Symbol('RateLimiter');
export const EVENT_SINK = Symbol('EventSink');
export const CLOCK = Symbol('Clock');
