/**
 * Every NATS subject, defined once with the default namespace. Senders call `rpc.request(Route,
 * body)` and handlers use `@MessagePattern(Route.subject)`; the deployment's `Namespace` turns each
 * into its wire subject (namespace.ts), so a subject string is never typed twice.
 */
import { validator, type Static, type TSchema, type Validator } from './schema';
import { Type } from './schema';
import * as Admin from './schemas/admin';
import * as AdminKeys from './schemas/admin-keys';
import * as OAuth from './schemas/oauth';
import * as Tokens from './schemas/tokens';
import * as Events from './schemas/events';
import * as Webhooks from './schemas/webhooks';
import type {
  ClientScopedRequest,
  CreatedOAuthClient,
  OAuthClientView,
  ResolveClientRequest,
  ResolveClientResult,
  RotatedClientSecret,
} from './oauth';
import type {
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
} from './messages';

/** A request-reply subject with its payload types and the service that answers it. */
export interface RpcRoute<Request, Result> {
  readonly subject: string;
  readonly service: ServiceName;
  /**
   * Safe to ask again when a replica dies mid-request (a mint: the first attempt never reached
   * anyone); callers then retry on another replica (libs/nats RpcClient).
   */
  readonly repeatable?: boolean;
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

/** The same route, marked safe to ask again (see `RpcRoute.repeatable`). */
export function repeatable<R extends RpcRoute<any, any>>(route: R): R {
  return Object.freeze({ ...route, repeatable: true });
}

export function route<Request, Result>(subject: string, service: ServiceName): RpcRoute<Request, Result> {
  return Object.freeze({ subject, service });
}

/** One definition per message: subject, answering service, request and result schemas. */
export function schemaRoute<Q extends TSchema, R extends TSchema>(subject: string, service: ServiceName, request: Q, result: R): SchemaRoute<Q, R> {
  return Object.freeze({ subject, service, request: validator(request), requestSchema: request, resultSchema: result });
}

/** Public NATS API (contract §5): any NATS client, plain JSON. */
export const PublicRoutes = {
  createAccessToken: repeatable(schemaRoute('roomkey.v1.tokens.create', 'issuer', Tokens.CreateAccessTokenRequestSchema, Tokens.CreateAccessTokenResultSchema)),
  verifyToken: repeatable(schemaRoute('roomkey.v1.tokens.verify', 'issuer', Tokens.VerifyTokenRequestSchema, Tokens.VerifyTokenResultSchema)),
} as const;

/**
 * A keys route carrying an admin HTTP body beside the path's parameters (`{tenant, body}`).
 * `request.parse` checks the parameters, then the body with its own validator, so a failure names
 * the body's field ("Field 'name' …"), not `body`.
 */
function adminBodyRoute<P extends Record<string, TSchema>, B extends TSchema, R extends TSchema>(subject: string, params: P, body: B, result: R) {
  const route = schemaRoute(subject, 'keys', Type.Object({ ...params, body }), result);
  const paramsValidator = validator(Type.Object(params));
  const bodyValidator = validator(body);
  const parse = (value: unknown) =>
    ({ ...paramsValidator.parse(value, 'Request'), body: bodyValidator.parse((value as { body?: unknown }).body) }) as unknown as Static<typeof route.requestSchema>;
  return Object.freeze({ ...route, request: { ...route.request, parse } });
}

/** Internal subjects between roomkey services (restrict `roomkey.internal.>` to them in NATS). */
export const KeysRoutes = {
  createTenant: adminBodyRoute('roomkey.internal.keys.tenants.create', {}, Admin.CreateTenantBodySchema, Admin.TenantViewSchema),
  getTenant: repeatable(schemaRoute('roomkey.internal.keys.tenants.get', 'keys', Admin.TenantScopedRequestSchema, Admin.TenantViewSchema)),
  createApiKey: adminBodyRoute('roomkey.internal.keys.api-keys.create', { tenant: Type.String() }, Admin.CreateApiKeyBodySchema, Admin.CreatedApiKeySchema),
  listApiKeys: repeatable(schemaRoute('roomkey.internal.keys.api-keys.list', 'keys', Admin.TenantScopedRequestSchema, Admin.ApiKeyListSchema)),
  revokeApiKey: schemaRoute('roomkey.internal.keys.api-keys.revoke', 'keys', Admin.ApiKeyScopedRequestSchema, Admin.EmptyResultSchema),
  listSigningKeys: repeatable(schemaRoute('roomkey.internal.keys.signing-keys.list', 'keys', Admin.TenantScopedRequestSchema, Admin.SigningKeyListSchema)),
  rotateSigningKeys: schemaRoute('roomkey.internal.keys.signing-keys.rotate', 'keys', Admin.TenantScopedRequestSchema, Admin.SigningKeyViewSchema),
  revokeSigningKey: schemaRoute('roomkey.internal.keys.signing-keys.revoke', 'keys', Admin.SigningKeyScopedRequestSchema, Admin.SigningKeyViewSchema),
  getJwks: repeatable(schemaRoute('roomkey.internal.keys.jwks.get', 'keys', Admin.TenantScopedRequestSchema, Admin.JwksSchema)),
  resolveCredential: repeatable(schemaRoute('roomkey.internal.keys.credentials.resolve', 'keys', Admin.ResolveCredentialRequestSchema, Admin.ResolveCredentialResultSchema)),
  getSigningMaterial: repeatable(schemaRoute('roomkey.internal.keys.signing-material.get', 'keys', Admin.SigningMaterialRequestSchema, Admin.SigningMaterialResultSchema)),
  createClient: adminBodyRoute('roomkey.internal.keys.clients.create', { tenant: Type.String() }, Admin.CreateClientBodySchema, Admin.CreatedClientSchema),
  listClients: repeatable(schemaRoute('roomkey.internal.keys.clients.list', 'keys', Admin.TenantScopedRequestSchema, Admin.ClientListSchema)),
  getClient: repeatable(schemaRoute('roomkey.internal.keys.clients.get', 'keys', Admin.ClientScopedRequestSchema, Admin.ClientViewSchema)),
  revokeClient: schemaRoute('roomkey.internal.keys.clients.revoke', 'keys', Admin.ClientScopedRequestSchema, Admin.EmptyResultSchema),
  rotateClientSecret: adminBodyRoute('roomkey.internal.keys.clients.rotate-secret', { tenant: Type.String(), clientId: Type.String() }, Admin.RotateClientSecretBodySchema, Admin.RotatedClientSecretSchema),
  resolveClient: repeatable(schemaRoute('roomkey.internal.keys.clients.resolve', 'keys', Admin.ResolveClientRequestSchema, Admin.ResolveClientResultSchema)),
  // lifecycle: tenants listed, patched, deleted; keys and clients patched and rotated
  listTenants: repeatable(schemaRoute('roomkey.internal.keys.tenants.list', 'keys', Admin.ListTenantsRequestSchema, Admin.TenantPageSchema)),
  updateTenant: adminBodyRoute('roomkey.internal.keys.tenants.update', { tenant: Type.String() }, Admin.UpdateTenantBodySchema, Admin.TenantViewSchema),
  deleteTenant: schemaRoute('roomkey.internal.keys.tenants.delete', 'keys', Admin.TenantScopedRequestSchema, Admin.EmptyResultSchema),
  updateApiKey: adminBodyRoute('roomkey.internal.keys.api-keys.update', { tenant: Type.String(), apiKey: Type.String() }, Admin.UpdateApiKeyBodySchema, Admin.ApiKeyViewSchema),
  rotateApiKey: adminBodyRoute('roomkey.internal.keys.api-keys.rotate', { tenant: Type.String(), apiKey: Type.String() }, Admin.RotateApiKeyBodySchema, Admin.RotatedApiKeySchema),
  apiKeyUsed: schemaRoute('roomkey.internal.keys.api-keys.used', 'keys', Admin.ApiKeyUsedRequestSchema, Admin.EmptyResultSchema),
  updateClient: adminBodyRoute('roomkey.internal.keys.clients.update', { tenant: Type.String(), clientId: Type.String() }, Admin.UpdateClientBodySchema, Admin.ClientViewSchema),
  // scoped admin credentials (only the bootstrap token manages them; the gateway authenticates with them)
  createAdminKey: adminBodyRoute('roomkey.internal.keys.admin-keys.create', {}, AdminKeys.CreateAdminKeyBodySchema, AdminKeys.CreatedAdminKeySchema),
  listAdminKeys: repeatable(schemaRoute('roomkey.internal.keys.admin-keys.list', 'keys', Type.Object({}), AdminKeys.AdminKeyListSchema)),
  revokeAdminKey: schemaRoute('roomkey.internal.keys.admin-keys.revoke', 'keys', AdminKeys.AdminKeyScopedRequestSchema, Admin.EmptyResultSchema),
  authenticateAdminKey: repeatable(schemaRoute('roomkey.internal.keys.admin-keys.authenticate', 'keys', AdminKeys.AuthenticateAdminKeyRequestSchema, AdminKeys.AuthenticatedAdminKeySchema)),
  // webhooks: registrations (secrets sealed, shown once) and their delivery outcomes
  createWebhook: adminBodyRoute('roomkey.internal.keys.webhooks.create', { tenant: Type.String() }, Webhooks.CreateWebhookBodySchema, Webhooks.CreatedWebhookSchema),
  listWebhooks: repeatable(schemaRoute('roomkey.internal.keys.webhooks.list', 'keys', Admin.TenantScopedRequestSchema, Webhooks.WebhookListSchema)),
  deleteWebhook: schemaRoute('roomkey.internal.keys.webhooks.delete', 'keys', Webhooks.WebhookScopedRequestSchema, Admin.EmptyResultSchema),
  listWebhookDeliveries: repeatable(schemaRoute('roomkey.internal.keys.webhooks.deliveries', 'keys', Webhooks.WebhookScopedRequestSchema, Webhooks.WebhookDeliveryListSchema)),
} as const;

/** OAuth 2.0 endpoints, answered by the issuer (the gateway parses HTTP and forwards). */
export const OAuthRoutes = {
  token: schemaRoute('roomkey.internal.issuer.oauth.token', 'issuer', OAuth.OAuthEndpointRequestSchema, OAuth.TokenEndpointResultSchema),
  introspect: repeatable(schemaRoute('roomkey.internal.issuer.oauth.introspect', 'issuer', OAuth.OAuthEndpointRequestSchema, OAuth.IntrospectionResultSchema)),
  revoke: repeatable(schemaRoute('roomkey.internal.issuer.oauth.revoke', 'issuer', OAuth.OAuthEndpointRequestSchema, OAuth.RevocationResultSchema)),
  revokeWithApiKey: repeatable(schemaRoute('roomkey.internal.issuer.tokens.revoke', 'issuer', Tokens.RevokeTokenRequestSchema, Tokens.RevokeTokenResultSchema)),
} as const;

/**
 * The token endpoint's route for a grant: grants that consume nothing (client_credentials) may be
 * asked again on another replica; authorization_code and refresh_token consume their code or token.
 */
const REPEATABLE_TOKEN_ROUTE = repeatable(OAuthRoutes.token);
export function tokenRouteFor(grantType: unknown): typeof OAuthRoutes.token {
  return grantType === 'client_credentials' ? REPEATABLE_TOKEN_ROUTE : OAuthRoutes.token;
}

/** Internal issuer services for the other roomkey services (identity mints guest tokens through these). */
export const IssuerRoutes = {
  authenticateApiKey: repeatable(schemaRoute('roomkey.internal.issuer.api-keys.authenticate', 'issuer', Tokens.AuthenticateApiKeyRequestSchema, Tokens.AuthenticatedApiKeySchema)),
  mintToken: repeatable(schemaRoute('roomkey.internal.issuer.tokens.mint', 'issuer', Tokens.MintTokenRequestSchema, Tokens.MintedTokenSchema)),
  verifyAccessToken: repeatable(schemaRoute('roomkey.internal.issuer.tokens.verify', 'issuer', Tokens.VerifyAccessTokenRequestSchema, Tokens.VerifiedAccessTokenSchema)),
  // iat cut-offs: asking again is harmless (a later cut-off wins, an equal one changes nothing)
  revokeUserTokens: repeatable(schemaRoute('roomkey.internal.issuer.users.revoke', 'issuer', Tokens.RevokeUserTokensRequestSchema, Tokens.RevokedUserTokensSchema)),
  revokeTenantTokens: repeatable(schemaRoute('roomkey.internal.issuer.tenants.revoke-before', 'issuer', Tokens.RevokeTenantTokensRequestSchema, Tokens.RevokedTenantTokensSchema)),
  /** The revoked jtis and cut-offs of a tenant still in force, read from the KV buckets (not a replica's memory). */
  revocationsInForce: repeatable(schemaRoute('roomkey.internal.issuer.revocations.in-force', 'issuer', Admin.TenantScopedRequestSchema, Events.IssuerRevocationsSchema)),
} as const;

/** One mint inside a batch: the route's subject, the caller's request id, and the route's own body. */
export interface BatchItem {
  readonly subject: string;
  readonly requestId?: string;
  readonly body: unknown;
}

/**
 * Concurrent mints coalesced into one message to the issuer's queue group (libs/nats RpcClient):
 * `{items: BatchItem[]}` in, `{ok: true, items: [reply, …]}` out, each reply what the item's own
 * subject would have answered (`{ok: true, …}` or a wire error), in order. Internal: the services
 * role only. Only repeatable mints travel in batches (a lost batch is asked again, like them).
 */
export const IssuerBatchRoute = {
  ...route<{ items: BatchItem[] }, { items: unknown[] }>('roomkey.internal.issuer.batch', 'issuer'),
  /** Routes whose requests may travel in a batch, and the most items in one. */
  subjects: Object.freeze([PublicRoutes.createAccessToken.subject, OAuthRoutes.token.subject, IssuerRoutes.mintToken.subject]),
  maxItems: 64,
} as const;

/** Each service answers its own ping; the gateway's /readyz asks them all. */
export const PingRoutes: Readonly<Record<ServiceName, RpcRoute<Record<string, never>, PingResult>>> = {
  keys: route('roomkey.internal.keys.ping', 'keys'),
  issuer: route('roomkey.internal.issuer.ping', 'issuer'),
  identity: route('roomkey.internal.identity.ping', 'identity'),
};

/**
 * Every replica of every service (the gateways too) answers with its Prometheus text exposition:
 * a plain subscription, not a queue group, so one request-many hears them all (the gateway's
 * `/metrics`). Inside the services role's `{ns}.>` permissions; clients may not use it.
 */
export const MetricsCollectRoute = { subject: 'roomkey.internal.metrics.collect' } as const;
