/**
 * Every NATS subject, defined once with the default namespace. Senders call `rpc.request(Route,
 * body)` and handlers use `@MessagePattern(Route.subject)`; the deployment's `Namespace` turns each
 * into its wire subject (namespace.ts), so a subject string is never typed twice.
 */
import { validator, type Static, type TSchema, type Validator } from './schema';
import type {
  ClientScopedRequest,
  CreatedOAuthClient,
  IntrospectionResult,
  OAuthClientView,
  OAuthEndpointRequest,
  ResolveClientRequest,
  ResolveClientResult,
  RevokeTokenRequest,
  RevokeTokenResult,
  RotatedClientSecret,
  TokenEndpointResult,
} from './oauth';
import type {
  AuthenticateApiKeyRequest,
  AuthenticatedApiKey,
  MintTokenRequest,
  MintedToken,
  VerifyAccessTokenRequest,
  VerifiedAccessToken,
  CreateAccessTokenRequest,
  CreateAccessTokenResult,
  CreatedApiKey,
  ApiKeyView,
  EmptyResult,
  ItemsResult,
  JwksResult,
  PingResult,
  ResolveCredentialRequest,
  ResolveCredentialResult,
  RevokeApiKeyRequest,
  ServiceName,
  SigningKeyView,
  SigningMaterialRequest,
  SigningMaterialResult,
  TenantScopedRequest,
  TenantView,
  VerifyTokenRequest,
  VerifyTokenResult,
} from './messages';

/** A request-reply subject with its payload types and the service that answers it. */
export interface RpcRoute<Request, Result> {
  readonly subject: string;
  readonly service: ServiceName;
  /** Type-level only: ties the subject to its payloads. */
  readonly types?: { request: Request; result: Result };
}

/** A route described by schemas: the types come from them, and the handler validates with `request`. */
export interface SchemaRoute<Q extends TSchema, R extends TSchema> extends RpcRoute<Static<Q>, Static<R>> {
  readonly request: Validator<Static<Q>>;
  readonly requestSchema: Q;
  readonly resultSchema: R;
}

export type RequestOf<R> = R extends RpcRoute<infer Q, unknown> ? Q : never;
export type ResultOf<R> = R extends RpcRoute<unknown, infer A> ? A : never;

export function route<Request, Result>(subject: string, service: ServiceName): RpcRoute<Request, Result> {
  return Object.freeze({ subject, service });
}

/** One definition per message: subject, answering service, request and result schemas. */
export function schemaRoute<Q extends TSchema, R extends TSchema>(subject: string, service: ServiceName, request: Q, result: R): SchemaRoute<Q, R> {
  return Object.freeze({ subject, service, request: validator(request), requestSchema: request, resultSchema: result });
}

/** Public NATS API (contract §5): any NATS client, plain JSON. */
export const PublicRoutes = {
  createAccessToken: route<CreateAccessTokenRequest, CreateAccessTokenResult>('roomkey.v1.tokens.create', 'issuer'),
  verifyToken: route<VerifyTokenRequest, VerifyTokenResult>('roomkey.v1.tokens.verify', 'issuer'),
} as const;

/** Internal subjects between roomkey services (restrict `roomkey.internal.>` to them in NATS). */
export const KeysRoutes = {
  createTenant: route<{ body: unknown }, TenantView>('roomkey.internal.keys.tenants.create', 'keys'),
  getTenant: route<TenantScopedRequest, TenantView>('roomkey.internal.keys.tenants.get', 'keys'),
  createApiKey: route<TenantScopedRequest, CreatedApiKey>('roomkey.internal.keys.api-keys.create', 'keys'),
  listApiKeys: route<TenantScopedRequest, ItemsResult<ApiKeyView>>('roomkey.internal.keys.api-keys.list', 'keys'),
  revokeApiKey: route<RevokeApiKeyRequest, EmptyResult>('roomkey.internal.keys.api-keys.revoke', 'keys'),
  listSigningKeys: route<TenantScopedRequest, ItemsResult<SigningKeyView>>('roomkey.internal.keys.signing-keys.list', 'keys'),
  rotateSigningKeys: route<TenantScopedRequest, SigningKeyView>('roomkey.internal.keys.signing-keys.rotate', 'keys'),
  revokeSigningKey: route<TenantScopedRequest & { kid: string }, SigningKeyView>('roomkey.internal.keys.signing-keys.revoke', 'keys'),
  getJwks: route<TenantScopedRequest, JwksResult>('roomkey.internal.keys.jwks.get', 'keys'),
  resolveCredential: route<ResolveCredentialRequest, ResolveCredentialResult>('roomkey.internal.keys.credentials.resolve', 'keys'),
  getSigningMaterial: route<SigningMaterialRequest, SigningMaterialResult>('roomkey.internal.keys.signing-material.get', 'keys'),
  createClient: route<TenantScopedRequest, CreatedOAuthClient>('roomkey.internal.keys.clients.create', 'keys'),
  listClients: route<TenantScopedRequest, ItemsResult<OAuthClientView>>('roomkey.internal.keys.clients.list', 'keys'),
  getClient: route<ClientScopedRequest, OAuthClientView>('roomkey.internal.keys.clients.get', 'keys'),
  revokeClient: route<ClientScopedRequest, EmptyResult>('roomkey.internal.keys.clients.revoke', 'keys'),
  rotateClientSecret: route<ClientScopedRequest, RotatedClientSecret>('roomkey.internal.keys.clients.rotate-secret', 'keys'),
  resolveClient: route<ResolveClientRequest, ResolveClientResult>('roomkey.internal.keys.clients.resolve', 'keys'),
} as const;

/** OAuth 2.0 endpoints, answered by the issuer (the gateway parses HTTP and forwards). */
export const OAuthRoutes = {
  token: route<OAuthEndpointRequest, TokenEndpointResult>('roomkey.internal.issuer.oauth.token', 'issuer'),
  introspect: route<OAuthEndpointRequest, IntrospectionResult>('roomkey.internal.issuer.oauth.introspect', 'issuer'),
  revoke: route<OAuthEndpointRequest, EmptyResult>('roomkey.internal.issuer.oauth.revoke', 'issuer'),
  revokeWithApiKey: route<RevokeTokenRequest, RevokeTokenResult>('roomkey.internal.issuer.tokens.revoke', 'issuer'),
} as const;

/** Internal issuer services for the other roomkey services (identity mints guest tokens through these). */
export const IssuerRoutes = {
  authenticateApiKey: route<AuthenticateApiKeyRequest, AuthenticatedApiKey>('roomkey.internal.issuer.api-keys.authenticate', 'issuer'),
  mintToken: route<MintTokenRequest, MintedToken>('roomkey.internal.issuer.tokens.mint', 'issuer'),
  verifyAccessToken: route<VerifyAccessTokenRequest, VerifiedAccessToken>('roomkey.internal.issuer.tokens.verify', 'issuer'),
} as const;

/** Each service answers its own ping; the gateway's /readyz asks them all. */
export const PingRoutes: Readonly<Record<ServiceName, RpcRoute<Record<string, never>, PingResult>>> = {
  keys: route('roomkey.internal.keys.ping', 'keys'),
  issuer: route('roomkey.internal.issuer.ping', 'issuer'),
  identity: route('roomkey.internal.identity.ping', 'identity'),
};
