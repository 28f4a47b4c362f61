/**
 * Payload types of every NATS request and reply, shared by senders and handlers. Replies travel
 * as `{ok: true, ...result}`; failures as `WireError` (see @roomkey/errors).
 */
import type { JWK } from 'jose';
import type { Environment } from './claims';
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

/** The issuer's messages, described once in schemas/tokens.ts. */
export type {
  AuthenticateApiKeyRequest,
  AuthenticatedApiKey,
  CreateAccessTokenBody,
  CreateAccessTokenRequest,
  CreateAccessTokenResult,
  MintTokenRequest,
  MintedToken,
  VerifiedAccessToken,
  VerifyAccessTokenRequest,
  VerifyTokenBody,
  VerifyTokenRequest,
  VerifyTokenResult,
} from './schemas/tokens';

export type ServiceName = 'keys' | 'issuer' | 'identity';

export interface PingResult {
  service: ServiceName;
  instance: string;
}
