/**
 * Payload types of every NATS request and reply, shared by senders and handlers. Replies travel
 * as `{ok: true, ...result}`; failures as `WireError` (see @roomkey/errors).
 */
import type { JWK } from 'jose';
import type { AccessTokenClaims, Environment, TokenContent } from './claims';
import type { Permission, Role } from './roles';
import type { Static } from './schema';
import type { ApiKeyScopedRequestSchema, JwksSchema, TenantView } from './schemas/admin';

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

export interface ItemsResult<T> {
  items: T[];
}

export interface EmptyResult {}

/** Keys-service messages and admin answers, described once in schemas/admin.ts. */
export type {
  ApiKeyView,
  CreatedApiKey,
  CredentialRecord,
  ResolveCredentialRequest,
  ResolveCredentialResult,
  SigningKeyView,
  SigningMaterialKey,
  SigningMaterialRequest,
  SigningMaterialResult,
  TenantScopedRequest,
  TenantView,
} from './schemas/admin';
export type JwksResult = Static<typeof JwksSchema>;
export type RevokeApiKeyRequest = Static<typeof ApiKeyScopedRequestSchema>;

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
