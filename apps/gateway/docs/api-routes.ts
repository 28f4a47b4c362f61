/**
 * Every HTTP operation the gateway serves, one entry each: its security, parameters, request and
 * answers, with the bodies' schemas taken from `@roomkey/contracts` (the same schemas the services
 * validate with). The OpenAPI document is generated from this table (openapi.ts); tests check that
 * it lists exactly the routes served and that no route lacks a schema.
 */
import {
  AcceptLoginBodySchema,
  AdminTenantSchema,
  AnonymousResultSchema,
  ApiKeyListSchema,
  AuthorizeQuerySchema,
  ClientListSchema,
  ClientViewSchema,
  CreateAccessTokenBodySchema,
  CreateAccessTokenResultSchema,
  CreateAnonymousBodySchema,
  CreateApiKeyBodySchema,
  CreateClientBodySchema,
  CreateGuestBodySchema,
  CreateInviteBodySchema,
  CreateTenantBodySchema,
  CreatedApiKeySchema,
  CreatedClientSchema,
  CreatedInviteSchema,
  GuestResultSchema,
  IntrospectionRequestSchema,
  IntrospectionResultSchema,
  JwksSchema,
  LoginRequestRedirectSchema,
  LoginRequestViewSchema,
  RedeemInviteBodySchema,
  RejectLoginBodySchema,
  RevocationRequestSchema,
  RevokeTokenBodySchema,
  RevokeTokenResultSchema,
  RotatedClientSecretSchema,
  SigningKeyListSchema,
  SigningKeyViewSchema,
  TokenEndpointResultSchema,
  TokenRequestSchema,
  VerifyTokenBodySchema,
  VerifyTokenResultSchema,
  type TObject,
  type TSchema,
} from '@roomkey/contracts';
import {
  AssetSchema,
  AuthorizationServerMetadataSchema,
  HealthSchema,
  HtmlSchema,
  NotReadySchema,
  OpenApiDocumentSchema,
  PrometheusTextSchema,
  ReadinessSchema,
} from './gateway-schemas';

export const JSON_TYPE = 'application/json';
export const FORM_TYPE = 'application/x-www-form-urlencoded';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type SecuritySchemeName = 'apiKey' | 'xApiKey' | 'adminToken' | 'accessToken' | 'clientSecretBasic' | 'clientSecretPost';
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 429 | 503;
export type Tag = 'Access tokens' | 'Guests and invites' | 'Login requests' | 'OAuth 2.0 and OpenID Connect' | 'Admin' | 'Operations';

/** An answer has a body described by a schema (in one or several media types), or none at all. */
export type ApiAnswer = { description: string; headers?: Record<string, string> } & (
  | { schema: TSchema; contentType?: string }
  | { content: Record<string, TSchema> }
  | { noBody: true }
);

export interface ApiRoute {
  method: HttpMethod;
  /** OpenAPI form: `{name}` for a path parameter (its schema is in `PathParameters`). */
  path: string;
  operationId: string;
  summary: string;
  tag: Tag;
  /** Alternatives, any one of which is enough; an empty alternative means "or no credentials"; `[]` alone: public. */
  security: ReadonlyArray<readonly SecuritySchemeName[]>;
  query?: TObject;
  request?: { schema: TSchema; contentTypes: readonly string[]; required: boolean };
  /** Answers other than the errors below. */
  answers: Partial<Record<200 | 201 | 204 | 302 | 400 | 503, ApiAnswer>>;
  /** Error answers, in the contract §4 shape (`Error`) or RFC 6749 §5.2 (`OAuthError`). */
  errors: { shape: 'Error' | 'OAuthError'; statuses: ErrorStatus[] };
}

type Security = ApiRoute['security'];
const PUBLIC: Security = [];
const API_KEY: Security = [['apiKey']];
const ADMIN: Security = [['adminToken']];
const OAUTH_CLIENT: Security = [['clientSecretBasic'], ['clientSecretPost']];

const json = (schema: TSchema, required = true) => ({ schema, contentTypes: [JSON_TYPE], required });
const form = (schema: TSchema) => ({ schema, contentTypes: [FORM_TYPE], required: true });
const errors = (...statuses: ErrorStatus[]) => ({ shape: 'Error' as const, statuses });
const oauthErrors = (...statuses: ErrorStatus[]) => ({ shape: 'OAuthError' as const, statuses });
const NO_STORE = { 'Cache-Control': 'no-store' };

const tokenEndpoint = {
  tag: 'OAuth 2.0 and OpenID Connect',
  // Public clients (authorization_code with PKCE, refresh_token) send only `client_id`.
  security: [...OAUTH_CLIENT, []],
  answers: { 200: { description: 'The tokens', schema: TokenEndpointResultSchema, headers: NO_STORE } },
  errors: oauthErrors(400, 401, 403, 413, 429, 503),
} as const;

export const API_ROUTES: readonly ApiRoute[] = [
  // ---------------------------------------------------------------- streaming platform API
  {
    method: 'POST',
    path: '/v1/access-tokens',
    operationId: 'createAccessToken',
    summary: 'CreateAccessToken: a user token for a role and rooms',
    tag: 'Access tokens',
    security: API_KEY,
    request: json(CreateAccessTokenBodySchema),
    answers: { 201: { description: 'The token', schema: CreateAccessTokenResultSchema } },
    errors: errors(400, 401, 413, 429, 503),
  },
  {
    method: 'POST',
    path: '/v1/tokens/verify',
    operationId: 'verifyToken',
    summary: "Verify a roomkey token or a partner-signed HS256 token of the caller's tenant",
    tag: 'Access tokens',
    security: API_KEY,
    request: json(VerifyTokenBodySchema),
    answers: { 200: { description: 'The token is active', schema: VerifyTokenResultSchema } },
    errors: errors(400, 401, 413, 429, 503),
  },
  {
    method: 'POST',
    path: '/v1/tokens/revoke',
    operationId: 'revokeToken',
    summary: 'Revoke a token (by token or jti); every verifier refuses it within a second',
    tag: 'Access tokens',
    security: API_KEY,
    request: json(RevokeTokenBodySchema),
    answers: { 200: { description: 'Revoked', schema: RevokeTokenResultSchema } },
    errors: errors(400, 401, 413, 429, 503),
  },
  {
    method: 'POST',
    path: '/v1/guests',
    operationId: 'createGuest',
    summary: 'A guest user (a unique id) with a GUEST token; X-Api-Key alone where the tenant allows guest access',
    tag: 'Guests and invites',
    security: [['apiKey'], ['xApiKey']],
    request: json(CreateGuestBodySchema, false),
    answers: { 201: { description: 'The guest and its token', schema: GuestResultSchema } },
    errors: errors(400, 401, 403, 413, 429, 503),
  },
  {
    method: 'POST',
    path: '/v1/anonymous-tokens',
    operationId: 'createAnonymousToken',
    summary: 'An anonymous VIEWER token (sub "!anon", a per-token anon_id); X-Api-Key alone where the tenant allows it',
    tag: 'Guests and invites',
    security: [['apiKey'], ['xApiKey']],
    request: json(CreateAnonymousBodySchema),
    answers: { 201: { description: 'The token', schema: AnonymousResultSchema } },
    errors: errors(400, 401, 403, 413, 429, 503),
  },
  {
    method: 'POST',
    path: '/v1/invites',
    operationId: 'createInvite',
    summary: "An invite a guest can redeem (the caller's token must hold guests:invite)",
    tag: 'Guests and invites',
    security: [['accessToken']],
    request: json(CreateInviteBodySchema),
    answers: { 201: { description: 'The invite', schema: CreatedInviteSchema } },
    errors: errors(400, 401, 403, 413, 503),
  },
  {
    method: 'POST',
    path: '/v1/invites/{code}/redeem',
    operationId: 'redeemInvite',
    summary: 'Redeem an invite: a guest token whose act.sub is the inviter',
    tag: 'Guests and invites',
    security: PUBLIC,
    request: json(RedeemInviteBodySchema, false),
    answers: { 201: { description: 'The guest and its token', schema: GuestResultSchema } },
    errors: errors(400, 404, 410, 413, 503),
  },
  {
    method: 'GET',
    path: '/v1/login-requests/{challenge}',
    operationId: 'getLoginRequest',
    summary: 'The authorization request behind a login challenge',
    tag: 'Login requests',
    security: API_KEY,
    answers: { 200: { description: 'The login request', schema: LoginRequestViewSchema } },
    errors: errors(400, 401, 403, 404, 410, 429, 503),
  },
  {
    method: 'PUT',
    path: '/v1/login-requests/{challenge}/accept',
    operationId: 'acceptLoginRequest',
    summary: 'The user is authenticated: where to send the browser (with a code)',
    tag: 'Login requests',
    security: API_KEY,
    request: json(AcceptLoginBodySchema),
    answers: { 200: { description: 'Where to redirect the browser', schema: LoginRequestRedirectSchema } },
    errors: errors(400, 401, 403, 404, 409, 410, 413, 429, 503),
  },
  {
    method: 'PUT',
    path: '/v1/login-requests/{challenge}/reject',
    operationId: 'rejectLoginRequest',
    summary: 'The login failed or was cancelled: where to send the browser (with the error)',
    tag: 'Login requests',
    security: API_KEY,
    request: json(RejectLoginBodySchema),
    answers: { 200: { description: 'Where to redirect the browser', schema: LoginRequestRedirectSchema } },
    errors: errors(400, 401, 403, 404, 409, 410, 413, 429, 503),
  },

  // ---------------------------------------------------------------- OAuth 2.0 / OpenID Connect
  {
    method: 'GET',
    path: '/realms/{tenant}/.well-known/openid-configuration',
    operationId: 'getOpenIdConfiguration',
    summary: "The tenant's discovery metadata (OpenID Connect path)",
    tag: 'OAuth 2.0 and OpenID Connect',
    security: PUBLIC,
    answers: { 200: { description: 'RFC 8414 metadata', schema: AuthorizationServerMetadataSchema } },
    errors: errors(404, 503),
  },
  {
    method: 'GET',
    path: '/.well-known/oauth-authorization-server/realms/{tenant}',
    operationId: 'getAuthorizationServerMetadata',
    summary: "The tenant's discovery metadata (RFC 8414 path; the same document)",
    tag: 'OAuth 2.0 and OpenID Connect',
    security: PUBLIC,
    answers: { 200: { description: 'RFC 8414 metadata', schema: AuthorizationServerMetadataSchema } },
    errors: errors(404, 503),
  },
  {
    method: 'GET',
    path: '/realms/{tenant}/protocol/openid-connect/certs',
    operationId: 'getJwks',
    summary: "The tenant's JWKS: its next, active and retiring public keys",
    tag: 'OAuth 2.0 and OpenID Connect',
    security: PUBLIC,
    answers: { 200: { description: 'JWKS', schema: JwksSchema } },
    errors: errors(404, 503),
  },
  {
    method: 'GET',
    path: '/realms/{tenant}/protocol/openid-connect/auth',
    operationId: 'authorize',
    summary: "Authorization endpoint: code with PKCE (S256); redirects to the tenant's login app",
    tag: 'OAuth 2.0 and OpenID Connect',
    security: PUBLIC,
    query: AuthorizeQuerySchema,
    answers: {
      302: { description: "To the tenant's login URL with a login_challenge, or back to the client with error and state", headers: { Location: 'Where the browser goes next' }, noBody: true },
      400: { description: 'Unknown client or unregistered redirect URI: an HTML page, never a redirect', schema: HtmlSchema, contentType: 'text/html' },
    },
    errors: errors(404, 503),
  },
  {
    method: 'POST',
    path: '/realms/{tenant}/protocol/openid-connect/token',
    operationId: 'requestToken',
    summary: 'Token endpoint: client_credentials, authorization_code (with code_verifier), refresh_token',
    ...tokenEndpoint,
    request: form(TokenRequestSchema),
  },
  {
    method: 'POST',
    path: '/oauth/token',
    operationId: 'requestTokenByClientId',
    summary: "Auth0-style token endpoint: the tenant comes from client_id; audience must be one of the client's (else 403 access_denied)",
    ...tokenEndpoint,
    request: { schema: TokenRequestSchema, contentTypes: [FORM_TYPE, JSON_TYPE], required: true },
  },
  {
    method: 'POST',
    path: '/realms/{tenant}/protocol/openid-connect/token/introspect',
    operationId: 'introspectToken',
    summary: 'Introspection (RFC 7662): {active:false} for anything not valid',
    tag: 'OAuth 2.0 and OpenID Connect',
    security: OAUTH_CLIENT,
    request: form(IntrospectionRequestSchema),
    answers: { 200: { description: '{active:false}, or the claims of an active token', schema: IntrospectionResultSchema, headers: NO_STORE } },
    errors: oauthErrors(400, 401, 413, 429, 503),
  },
  {
    method: 'POST',
    path: '/realms/{tenant}/protocol/openid-connect/revoke',
    operationId: 'revokeOAuthToken',
    summary: 'Revocation (RFC 7009): also 200 for a token that is already invalid',
    tag: 'OAuth 2.0 and OpenID Connect',
    security: OAUTH_CLIENT,
    request: form(RevocationRequestSchema),
    answers: { 200: { description: 'Revoked, or nothing to revoke', headers: NO_STORE, noBody: true } },
    errors: oauthErrors(400, 401, 413, 429, 503),
  },

  // ---------------------------------------------------------------- admin
  {
    method: 'POST',
    path: '/admin/tenants',
    operationId: 'createTenant',
    summary: 'Create a tenant (with an active and a next signing key)',
    tag: 'Admin',
    security: ADMIN,
    request: json(CreateTenantBodySchema),
    answers: { 201: { description: 'The tenant', schema: AdminTenantSchema } },
    errors: errors(400, 401, 409, 413, 503),
  },
  {
    method: 'GET',
    path: '/admin/tenants/{tenant}',
    operationId: 'getTenant',
    summary: 'A tenant',
    tag: 'Admin',
    security: ADMIN,
    answers: { 200: { description: 'The tenant', schema: AdminTenantSchema } },
    errors: errors(401, 404, 503),
  },
  {
    method: 'POST',
    path: '/admin/tenants/{tenant}/api-keys',
    operationId: 'createApiKey',
    summary: 'Create an API key (the secret is shown once)',
    tag: 'Admin',
    security: ADMIN,
    request: json(CreateApiKeyBodySchema),
    answers: { 201: { description: 'The key and its secret', schema: CreatedApiKeySchema } },
    errors: errors(400, 401, 404, 413, 503),
  },
  {
    method: 'GET',
    path: '/admin/tenants/{tenant}/api-keys',
    operationId: 'listApiKeys',
    summary: "The tenant's API keys (never their secrets)",
    tag: 'Admin',
    security: ADMIN,
    answers: { 200: { description: 'The keys', schema: ApiKeyListSchema } },
    errors: errors(401, 404, 503),
  },
  {
    method: 'DELETE',
    path: '/admin/tenants/{tenant}/api-keys/{apiKey}',
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key',
    tag: 'Admin',
    security: ADMIN,
    answers: { 204: { description: 'Revoked', noBody: true } },
    errors: errors(401, 404, 503),
  },
  {
    method: 'POST',
    path: '/admin/tenants/{tenant}/clients',
    operationId: 'createClient',
    summary: 'Register an OAuth client (the secret is shown once)',
    tag: 'Admin',
    security: ADMIN,
    request: json(CreateClientBodySchema),
    answers: { 201: { description: 'The client', schema: CreatedClientSchema } },
    errors: errors(400, 401, 404, 413, 503),
  },
  {
    method: 'GET',
    path: '/admin/tenants/{tenant}/clients',
    operationId: 'listClients',
    summary: "The tenant's OAuth clients",
    tag: 'Admin',
    security: ADMIN,
    answers: { 200: { description: 'The clients', schema: ClientListSchema } },
    errors: errors(401, 404, 503),
  },
  {
    method: 'GET',
    path: '/admin/tenants/{tenant}/clients/{clientId}',
    operationId: 'getClient',
    summary: 'An OAuth client',
    tag: 'Admin',
    security: ADMIN,
    answers: { 200: { description: 'The client', schema: ClientViewSchema } },
    errors: errors(401, 404, 503),
  },
  {
    method: 'POST',
    path: '/admin/tenants/{tenant}/clients/{clientId}/secret',
    operationId: 'rotateClientSecret',
    summary: 'Rotate a client secret (the previous one keeps working for a grace period)',
    tag: 'Admin',
    security: ADMIN,
    answers: { 201: { description: 'The new secret', schema: RotatedClientSecretSchema } },
    errors: errors(401, 404, 409, 503),
  },
  {
    method: 'DELETE',
    path: '/admin/tenants/{tenant}/clients/{clientId}',
    operationId: 'revokeClient',
    summary: 'Revoke an OAuth client',
    tag: 'Admin',
    security: ADMIN,
    answers: { 204: { description: 'Revoked', noBody: true } },
    errors: errors(401, 404, 503),
  },
  {
    method: 'GET',
    path: '/admin/tenants/{tenant}/signing-keys',
    operationId: 'listSigningKeys',
    summary: "The tenant's signing keys",
    tag: 'Admin',
    security: ADMIN,
    answers: { 200: { description: 'The keys', schema: SigningKeyListSchema } },
    errors: errors(401, 404, 503),
  },
  {
    method: 'POST',
    path: '/admin/tenants/{tenant}/signing-keys/rotate',
    operationId: 'rotateSigningKeys',
    summary: 'Rotate now: next → active, active → retiring, a fresh next',
    tag: 'Admin',
    security: ADMIN,
    answers: { 201: { description: 'The new active key', schema: SigningKeyViewSchema } },
    errors: errors(401, 404, 503),
  },
  {
    method: 'POST',
    path: '/admin/tenants/{tenant}/signing-keys/{kid}/revoke',
    operationId: 'revokeSigningKey',
    summary: 'Revoke a compromised key: out of the JWKS at once (an active key is rotated out first)',
    tag: 'Admin',
    security: ADMIN,
    answers: { 200: { description: 'The revoked key', schema: SigningKeyViewSchema } },
    errors: errors(401, 404, 409, 503),
  },

  // ---------------------------------------------------------------- operations
  {
    method: 'GET',
    path: '/healthz',
    operationId: 'getHealth',
    summary: 'Alive: the gateway answers',
    tag: 'Operations',
    security: PUBLIC,
    answers: { 200: { description: 'Alive', schema: HealthSchema } },
    errors: errors(),
  },
  {
    method: 'GET',
    path: '/readyz',
    operationId: 'getReadiness',
    summary: 'Ready when tokens can be issued (degraded names what is away); 503 when not',
    tag: 'Operations',
    security: PUBLIC,
    answers: { 200: { description: 'Ready', schema: ReadinessSchema }, 503: { description: 'Not ready', schema: NotReadySchema } },
    errors: errors(),
  },
  {
    method: 'GET',
    path: '/metrics',
    operationId: 'getMetrics',
    summary: 'Prometheus metrics of every service (every replica), labelled service and instance',
    tag: 'Operations',
    security: PUBLIC,
    answers: { 200: { description: 'Metrics', schema: PrometheusTextSchema, contentType: 'text/plain' } },
    errors: errors(),
  },
  {
    method: 'GET',
    path: '/docs',
    operationId: 'getApiReference',
    summary: 'The API reference (Swagger UI) for browsers; this document for other clients',
    tag: 'Operations',
    security: PUBLIC,
    answers: { 200: { description: 'HTML when the client accepts text/html, else this document', content: { 'text/html': HtmlSchema, [JSON_TYPE]: OpenApiDocumentSchema } } },
    errors: errors(),
  },
  {
    method: 'GET',
    path: '/docs/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This OpenAPI 3.1 document',
    tag: 'Operations',
    security: PUBLIC,
    answers: { 200: { description: 'This document', schema: OpenApiDocumentSchema } },
    errors: errors(),
  },
  {
    method: 'GET',
    path: '/docs/assets/{file}',
    operationId: 'getApiReferenceAsset',
    summary: "A file of the API reference UI (served from the gateway's own copy of Swagger UI)",
    tag: 'Operations',
    security: PUBLIC,
    answers: { 200: { description: 'The file', content: { 'text/css': AssetSchema, 'text/javascript': AssetSchema, 'image/png': AssetSchema } } },
    errors: errors(404),
  },
];
