/**
 * The keys service's ports: domain code depends on these, `infra.module.ts` binds the TypeORM and
 * NATS adapters, and unit tests bind in-memory fakes.
 */
import type { Environment, GrantType, MediaPlatform, RoleMatrixOverride, SigningAlgorithm, SigningKeyState } from '@roomkey/contracts';
import type { JWK } from 'jose';

/** All times are milliseconds since the epoch. */
export interface TenantRecord {
  shortcode: string;
  name: string;
  loginUrl: string | null;
  guestAccess: boolean;
  anonymousAccess: boolean;
  signingAlg: SigningAlgorithm;
  /** Overrides of the default role matrix, or null for the default. */
  roleMatrix: RoleMatrixOverride | null;
  createdAt: number;
  /** Set once deleted: the tenant answers 404 and its shortcode is held for a while. */
  deletedAt?: number | null;
}

export interface ApiKeyRecord {
  apiKey: string;
  tenant: string;
  environment: Environment;
  name: string | null;
  /** Keyed SHA-256 of the secret, for constant-time authentication. */
  secretHash: string;
  /** The secret sealed under the master key: partner-signed HS256 tokens need it in clear later. */
  secretCiphertext: string;
  /** After a rotation: the previous secret's hash, valid until previousSecretValidUntil. */
  previousSecretHash?: string | null;
  previousSecretValidUntil?: number | null;
  /** Coarse: reported by issuers at most once a minute per key. */
  lastUsedAt?: number | null;
  createdAt: number;
  revokedAt: number | null;
}

export interface SigningKeyRecord {
  kid: string;
  tenant: string;
  alg: SigningAlgorithm;
  state: SigningKeyState;
  publicJwk: JWK;
  /** The private JWK sealed under the master key with the kid as associated data. */
  privateJwkCiphertext: string;
  createdAt: number;
  activatedAt: number | null;
  retiringAt: number | null;
  /** Earliest time the key may become retired: every token it signed has expired by then. */
  retireAfter: number | null;
  retiredAt: number | null;
}

export interface OAuthClientRecord {
  clientId: string;
  tenant: string;
  name: string | null;
  public: boolean;
  grantTypes: GrantType[];
  redirectUris: string[];
  audiences: string[];
  scopes: string[];
  accessTokenTtl: number;
  /** Keyed SHA-256 of the secret; null for public clients. */
  secretHash: string | null;
  /** After a secret rotation: the previous secret's hash, valid until previousSecretValidUntil. */
  previousSecretHash: string | null;
  previousSecretValidUntil: number | null;
  createdAt: number;
  revokedAt: number | null;
}

/** A tenant's credentials for one media platform (claim profiles, contract §3.1). */
export interface MediaPlatformRecord {
  tenant: string;
  platform: MediaPlatform;
  /** The platform's public API key (LiveKit `iss`, VideoSDK `apikey`). */
  apiKey: string;
  /** The platform's API secret sealed under the master key, `{tenant}:{platform}` as associated data. */
  secretCiphertext: string;
  createdAt: number;
  updatedAt: number;
}

export interface TenantRepository {
  find(shortcode: string): Promise<TenantRecord | null>;
  insert(tenant: TenantRecord): Promise<void>;
  update(tenant: TenantRecord): Promise<void>;
  /** Live (not deleted) tenants after `after` in shortcode order, at most `limit`. */
  listPage(after: string | null, limit: number): Promise<TenantRecord[]>;
  /** Removes a deleted tenant and everything of it, so that its shortcode can be used again. */
  purge(shortcode: string): Promise<void>;
}

export interface ApiKeyRepository {
  find(apiKey: string): Promise<ApiKeyRecord | null>;
  listByTenant(tenant: string): Promise<ApiKeyRecord[]>;
  insert(record: ApiKeyRecord): Promise<void>;
  markRevoked(apiKey: string, revokedAt: number): Promise<void>;
  update(apiKey: string, changes: Partial<Omit<ApiKeyRecord, 'apiKey' | 'tenant'>>): Promise<void>;
  /** Moves lastUsedAt forward to `usedAt` (never back). */
  recordUse(apiKey: string, usedAt: number): Promise<void>;
}

export interface SigningKeyRepository {
  listByTenant(tenant: string, states?: readonly SigningKeyState[]): Promise<SigningKeyRecord[]>;
  insert(record: SigningKeyRecord): Promise<void>;
  update(record: SigningKeyRecord): Promise<void>;
  /** Retiring keys whose retireAfter has passed. */
  listRetirable(now: number): Promise<SigningKeyRecord[]>;
  /** Tenants whose active key was activated before `activatedBefore`. */
  listTenantsWithActiveKeyOlderThan(activatedBefore: number): Promise<string[]>;
}

export interface OAuthClientRepository {
  find(clientId: string): Promise<OAuthClientRecord | null>;
  listByTenant(tenant: string): Promise<OAuthClientRecord[]>;
  insert(record: OAuthClientRecord): Promise<void>;
  update(record: OAuthClientRecord): Promise<void>;
}

export interface MediaPlatformRepository {
  find(tenant: string, platform: MediaPlatform): Promise<MediaPlatformRecord | null>;
  listByTenant(tenant: string): Promise<MediaPlatformRecord[]>;
  /** Inserts, or replaces the credentials of the tenant's platform (keeping `createdAt`). */
  save(record: MediaPlatformRecord): Promise<void>;
  /** True when there was something to remove. */
  remove(tenant: string, platform: MediaPlatform): Promise<boolean>;
}

export interface KeysStore {
  readonly tenants: TenantRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly signingKeys: SigningKeyRepository;
  readonly clients: OAuthClientRepository;
  readonly mediaPlatforms: MediaPlatformRepository;
  /** Runs `work` atomically; the store it receives sees and writes inside the transaction. */
  transaction<T>(work: (store: KeysStore) => Promise<T>): Promise<T>;
}

export interface Clock {
  now(): number;
}

export type { EventSink } from '@roomkey/nats';

export const KEYS_STORE = Symbol('KeysStore');
export const CLOCK = Symbol('Clock');
export const EVENT_SINK = Symbol('EventSink');
export const SECRET_BOX = Symbol('SecretBox');
export const SECRET_HASHER = Symbol('SecretHasher');
export const KEYS_CONFIG = Symbol('KeysConfig');
