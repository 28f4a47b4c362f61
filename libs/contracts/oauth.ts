/**
 * OAuth 2.0 surface (contract §1, §4): client shapes, grant types, the token endpoint's request and
 * answer, introspection and revocation, shared by the gateway, the issuer and the keys service.
 */
import type { Environment } from './claims';
import type { Static } from './schema';
import type { ClientViewSchema, CreatedClientSchema } from './schemas/admin';

/** RFC 8693 token exchange. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const GRANT_TYPES = ['client_credentials', 'authorization_code', 'refresh_token', TOKEN_EXCHANGE_GRANT] as const;
export type GrantType = (typeof GRANT_TYPES)[number];
/** Grants the token endpoint answers today; discovery advertises exactly these, and the issuer's
 * grant registry refuses to start unless it has one handler for each. */
export const IMPLEMENTED_GRANT_TYPES: readonly GrantType[] = ['client_credentials', 'authorization_code', 'refresh_token', TOKEN_EXCHANGE_GRANT];

/** RFC 8693 §3 token type identifiers roomkey takes as `subject_token_type` (and issues: access_token). */
export const ACCESS_TOKEN_TYPE_URN = 'urn:ietf:params:oauth:token-type:access_token';
export const JWT_TOKEN_TYPE_URN = 'urn:ietf:params:oauth:token-type:jwt';
export const SUBJECT_TOKEN_TYPES = [ACCESS_TOKEN_TYPE_URN, JWT_TOKEN_TYPE_URN] as const;
export type SubjectTokenType = (typeof SUBJECT_TOKEN_TYPES)[number];
/** Parameters that may be sent more than once: RFC 8693 `resource` (one room each). */
export const REPEATABLE_OAUTH_PARAMS: readonly string[] = ['resource'];
/** Grants a public client (no secret) may use. */
export const PUBLIC_CLIENT_GRANT_TYPES: readonly GrantType[] = ['authorization_code', 'refresh_token'];

export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;

/** RFC 6749 scope-token: printable ASCII except space, '"' and '\'. */
export const SCOPE_TOKEN_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;

/** Client messages, described once in schemas/admin.ts. */
export type { ClientCredentialRecord, ClientScopedRequest, ResolveClientRequest, ResolveClientResult, RotatedClientSecret } from './schemas/admin';
export type OAuthClientView = Static<typeof ClientViewSchema>;
export type CreatedOAuthClient = Static<typeof CreatedClientSchema>;

/** The endpoints' messages, described once in schemas/oauth.ts and schemas/tokens.ts. */
export type { IntrospectionResult, OAuthEndpointRequest, OAuthParams, TokenEndpointResult } from './schemas/oauth';
export type { RevokeTokenBody, RevokeTokenRequest, RevokeTokenResult } from './schemas/tokens';

/** A partner-signed (VideoSDK-style, HS256) token as `/v1/tokens/verify` reports it. */
export interface PartnerTokenClaims extends Record<string, unknown> {
  apikey: string;
  tid: string;
  perms: string[];
  rooms?: string[];
  env: Environment;
  kind: 'partner';
}

