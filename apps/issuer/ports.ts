/** The issuer's ports: where it gets credentials and keys (the keys service, over NATS) and the time. */
import type { ClientCredentialRecord, CredentialRecord, SigningMaterialResult } from '@roomkey/contracts';
import type { RequestContext } from '@roomkey/nats';

/** Lookups name the request that missed the cache (its id and span travel with the load). */
export interface KeyDirectory {
  resolveCredential(apiKey: string, context: RequestContext): Promise<CredentialRecord | null>;
  resolveClient(clientId: string, context: RequestContext): Promise<ClientCredentialRecord | null>;
  signingMaterial(tenant: string, context: RequestContext): Promise<SigningMaterialResult>;
  /** Coarse last-use reports, several keys at a time (see ApiKeyUsage); best effort, no request's work. */
  reportApiKeyUses?(uses: ReadonlyArray<{ apiKey: string; usedAt: number }>): Promise<void>;
}

/** Revoked token ids, shared by every replica (JetStream KV), answered from memory. */
export interface RevocationStore {
  revoke(tenant: string, jti: string, exp: number): Promise<void>;
  isRevoked(tenant: string, jti: string): boolean;
}

/**
 * `iat` cut-offs shared by every replica (JetStream KV), answered from memory: every token of a
 * tenant, or of one user (`sub`) of it, issued before a time is refused. Times in milliseconds.
 */
export interface RevocationCutoffs {
  revokeTenantBefore(tenant: string, issuedBeforeMs: number): Promise<void>;
  revokeUserBefore(tenant: string, userId: string, issuedBeforeMs: number): Promise<void>;
  /** `iat` in seconds, as in the claims. */
  isRevoked(tenant: string, sub: string, iat: number): boolean;
  /** The cut-off in force for `sub` of `tenant` (the later of the tenant's and the user's), or -Infinity. */
  cutoffMs(tenant: string, sub: string): number;
}

/** Counters shared by every replica (`SharedRateLimiter`); `retryAfter` answers from memory. */
export type { RateLimiter } from '@roomkey/nats';

export interface Clock {
  now(): number;
}

export const KEY_DIRECTORY = Symbol('KeyDirectory');
export const REVOCATION_STORE = Symbol('RevocationStore');
export const REVOCATION_CUTOFFS = Symbol('RevocationCutoffs');
export const RATE_LIMITER = Symbol('RateLimiter');
export const EVENT_PUBLISHER = Symbol('EventPublisher');
/** VersionedStore<LoginRequest>, keyed by challenge. */
export const LOGIN_REQUESTS = Symbol('LoginRequests');
/** VersionedStore<{challenge}>, keyed by the SHA-256 of an authorization code. */
export const AUTHORIZATION_CODES = Symbol('AuthorizationCodes');
/** VersionedStore<RefreshTokenRecord>, keyed by the SHA-256 of a refresh token. */
export const REFRESH_TOKENS = Symbol('RefreshTokens');
/** VersionedStore<TokenFamily>, keyed by family id. */
export const TOKEN_FAMILIES = Symbol('TokenFamilies');
export const CLOCK = Symbol('Clock');
export const ISSUER_CONFIG = Symbol('IssuerConfig');
export const SECRET_BOX = Symbol('SecretBox');
export const SECRET_HASHER = Symbol('SecretHasher');
