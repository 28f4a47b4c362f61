/**
 * Payload types of every NATS request and reply, shared by senders and handlers. Replies travel
 * as `{ok: true, ...result}`; failures as `WireError` (see @roomkey/errors).
 */
import type { JWK } from 'jose';
import type { AccessTokenClaims, Environment, TokenContent } from './claims';
import type { Permission, Role, RoleMatrix } from './roles';

export type SigningAlgorithm = 'ES256' | 'EdDSA' | 'RS256';
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['ES256', 'EdDSA', 'RS256'];

/** `revoked`: taken out at once after a compromise (leaves the JWKS; its tokens stop verifying). */
export type SigningKeyState = 'next' | 'active' | 'retiring' | 'retired' | 'revoked';

/** Credentials a caller sends in the body of a public NATS request (contract §5). */
export interface ApiCredentials {
  apiKey: string;
  secret: string;
}

export interface CreateAccessTokenBody {
  userId: string;
  role: Role;
  rooms?: string[];
  ttlSeconds?: number;
  name?: string;
  image?: string;
}
export type CreateAccessTokenRequest = CreateAccessTokenBody & ApiCredentials;

export interface CreateAccessTokenResult {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  /** ISO 8601 UTC. */
  expiresAt: string;
  role: Role;
  permissions: Permission[];
}

export interface VerifyTokenRequest extends ApiCredentials {
  token: string;
}
export interface VerifyTokenResult {
  active: true;
  claims: AccessTokenClaims;
}

/** Admin requests carry the path's tenant and the unvalidated body; the owning service validates. */
export interface TenantScopedRequest {
  tenant: string;
  body?: unknown;
}

export interface TenantView {
  shortcode: string;
  name: string;
  loginUrl: string | null;
  guestAccess: boolean;
  anonymousAccess: boolean;
  signingAlg: SigningAlgorithm;
  /** The tenant's effective role → permissions matrix (contract §2: a tenant may override it). */
  roleMatrix: RoleMatrix;
  createdAt: string;
}

export interface ApiKeyView {
  apiKey: string;
  environment: Environment;
  name: string | null;
  createdAt: string;
  revokedAt: string | null;
}

export interface CreatedApiKey {
  apiKey: string;
  /** Shown once, here; roomkey keeps it encrypted and never shows it again. */
  secret: string;
  environment: Environment;
  name: string | null;
  createdAt: string;
}

export interface SigningKeyView {
  kid: string;
  alg: SigningAlgorithm;
  state: SigningKeyState;
  createdAt: string;
  publicJwk: JWK;
}

export interface ItemsResult<T> {
  items: T[];
}

export interface JwksResult {
  keys: JWK[];
}

export interface RevokeApiKeyRequest {
  tenant: string;
  apiKey: string;
}

export interface EmptyResult {}

/** What an issuer caches to authenticate an API key without a database read. */
export interface CredentialRecord {
  apiKey: string;
  tenant: string;
  environment: Environment;
  /** Keyed SHA-256 of the secret (hex); see @roomkey/crypto `SecretHasher`. */
  secretHash: string;
  /** The secret sealed under the master key (partner-signed HS256 tokens are verified with it). */
  secretCiphertext: string;
  revoked: boolean;
}

export interface ResolveCredentialRequest {
  apiKey: string;
}
export interface ResolveCredentialResult {
  /** null when no such API key exists. */
  credential: CredentialRecord | null;
}

export interface SigningMaterialKey {
  kid: string;
  alg: SigningAlgorithm;
  state: SigningKeyState;
  publicJwk: JWK;
  /** The active key only: the private JWK encrypted under the master key (never in clear). */
  encryptedPrivateJwk?: string;
}

export interface SigningMaterialRequest {
  tenant: string;
}
export interface SigningMaterialResult {
  tenant: TenantView;
  keys: SigningMaterialKey[];
}

/** Internal: authenticate an API key for another service. Without `secret`, the key is only looked up
 * (X-Api-Key-alone access, allowed when the tenant switches it on). */
export interface AuthenticateApiKeyRequest {
  apiKey: string;
  secret?: string;
  /** The end client's address, for brute-force limits on failed authentication. */
  clientAddress?: string;
}
export interface AuthenticatedApiKey {
  apiKey: string;
  environment: Environment;
  /** Whether the secret was checked (false for an X-Api-Key-alone look-up). */
  secretVerified: boolean;
  tenant: TenantView;
}

/** Internal: sign a token for `tenant` with its active key. The caller has authorised it. */
export interface MintTokenRequest {
  tenant: string;
  /** What the caller may set; the issuer alone adds iss, tid, iat, exp, jti and perms. */
  claims: TokenContent;
  ttlSeconds: number;
}
export interface MintedToken {
  accessToken: string;
  expiresIn: number;
  expiresAt: string;
  claims: AccessTokenClaims;
}

/** Internal: verify a roomkey access token; the tenant is the token's own `tid` unless given. */
export interface VerifyAccessTokenRequest {
  token: string;
  tenant?: string;
}
export interface VerifiedAccessToken {
  claims: AccessTokenClaims;
}

export type ServiceName = 'keys' | 'issuer' | 'identity';

export interface PingResult {
  service: ServiceName;
  instance: string;
}
