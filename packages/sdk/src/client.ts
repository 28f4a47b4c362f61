/**
 * RoomkeyClient: every public and admin operation of the contract (§4, §5), over HTTP (fetch) or
 * over a NATS connection the caller passes (client role: the four public subjects). The method
 * names are the same either way; failures throw RoomkeyError with the contract's `code` and `status`.
 */
import type {
  AcceptLoginRequestBody,
  AccessTokenClaims,
  AdminKeyList,
  AdminTenant,
  AdminTenantPage,
  AnonymousResult,
  ApiKeyView,
  ClientView,
  CreateAccessTokenBody,
  CreateAccessTokenResult,
  CreateAdminKeyBody,
  CreateAnonymousBody,
  CreateApiKeyBody,
  CreateClientBody,
  CreatedAdminKey,
  CreatedApiKey,
  CreatedClient,
  CreatedInvite,
  CreatedWebhook,
  CreateGuestBody,
  CreateInviteBody,
  CreateTenantBody,
  CreateWebhookBody,
  GuestResult,
  IntrospectionRequest,
  IntrospectionResult,
  Items,
  ListEventsQuery,
  ListTenantsQuery,
  LoginRequestRedirect,
  LoginRequestView,
  MediaPlatform,
  MediaPlatformCredentials,
  RedeemInviteBody,
  RejectLoginRequestBody,
  RevocationRequest,
  RevokedTenantTokens,
  RevokedUserTokens,
  RevokeTokenResult,
  Role,
  RotateApiKeyBody,
  RotateClientSecretBody,
  RotatedApiKey,
  RotatedClientSecret,
  SigningKeyView,
  SubjectTokenType,
  TenantEventPage,
  TokenEndpointResult,
  TokenRequest,
  UpdateApiKeyBody,
  UpdateClientBody,
  UpdateTenantBody,
  VerifyTokenResult,
  WebhookDelivery,
  WebhookView,
} from './contract-types';
import { ACCESS_TOKEN_TYPE_URN, TOKEN_EXCHANGE_GRANT } from '../../../libs/contracts/oauth';
import { NOT_SUPPORTED, RoomkeyError } from './errors';
import { HttpTransport, segment, type FormParams, type HttpAuth, type HttpRequest } from './http';
import { checkNamespace, DEFAULT_NAMESPACE, NatsTransport, PUBLIC_SUBJECTS, type NatsConnectionLike } from './nats';
import { verifyWebhook, type WebhookHeaders, type WebhookVerifyOptions } from './webhooks';

export interface RoomkeyClientOptions {
  /** The gateway, e.g. `http://127.0.0.1:8080`. Needed for admin calls and for what NATS cannot carry. */
  url?: string;
  /** A NATS connection (client role). When set, the four public operations go over NATS. */
  nats?: NatsConnectionLike;
  /** The deployment's namespace on NATS (`ROOMKEY_NAMESPACE`), default `roomkey`. */
  namespace?: string;
  apiKey?: string;
  apiSecret?: string;
  /** `ROOMKEY_ADMIN_TOKEN` or an admin key (`rk_admin_…`), for `client.admin`. */
  adminToken?: string;
  /** Per request, default 10 s. */
  timeoutMs?: number;
}

/** The answer of `verifyToken`: an active token and its claims (an invalid one throws `invalid_token`). */
export type VerifiedToken = VerifyTokenResult;

export class RoomkeyClient {
  readonly admin: RoomkeyAdmin;
  /** The tenant's OAuth 2.0 endpoints for an OAuth client (`/realms/{t}/protocol/openid-connect/…`); HTTP only. */
  readonly oauth: RoomkeyOAuth;
  /** The login-challenge API for the partner's login app (`/v1/login-requests/{challenge}`); HTTP only. */
  readonly loginRequests: LoginRequests;
  private readonly http: HttpTransport | undefined;
  private readonly nats: NatsTransport | undefined;

  constructor(private readonly options: RoomkeyClientOptions) {
    if (!options || (options.url === undefined && options.nats === undefined)) throw new TypeError('RoomkeyClient: pass `url` (HTTP) or `nats` (a NATS connection)');
    const timeoutMs = options.timeoutMs ?? 10_000;
    this.http = options.url === undefined ? undefined : new HttpTransport(options.url, timeoutMs);
    this.nats = options.nats === undefined ? undefined : new NatsTransport(options.nats, checkNamespace(options.namespace ?? DEFAULT_NAMESPACE), timeoutMs);
    this.admin = new RoomkeyAdmin((request) => this.adminRequest(request));
    this.oauth = new RoomkeyOAuth((request, operation) => this.httpOnly(request, operation));
    const challengePath = (challenge: string) => `/v1/login-requests/${segment(challenge)}`;
    this.loginRequests = {
      get: (challenge) => this.publicHttp({ method: 'GET', path: challengePath(challenge) }, 'loginRequests.get'),
      accept: (challenge, body) => this.publicHttp({ method: 'PUT', path: `${challengePath(challenge)}/accept`, body }, 'loginRequests.accept'),
      reject: (challenge, body) => this.publicHttp({ method: 'PUT', path: `${challengePath(challenge)}/reject`, body }, 'loginRequests.reject'),
    };
  }

  /** CreateAccessToken (`POST /v1/access-tokens`, `{ns}.v1.tokens.create`). */
  createAccessToken(body: CreateAccessTokenBody): Promise<CreateAccessTokenResult> {
    if (this.nats) return this.nats.request(PUBLIC_SUBJECTS.createToken, { ...body, ...this.natsCredentials() });
    return this.publicHttp({ method: 'POST', path: '/v1/access-tokens', body });
  }

  /** `{active: true, claims}` for a valid token of the tenant; throws RoomkeyError `invalid_token` otherwise. */
  verifyToken(token: string): Promise<VerifiedToken> {
    if (this.nats) return this.nats.request<VerifiedToken>(PUBLIC_SUBJECTS.verifyToken, { token, ...this.natsCredentials() });
    return this.publicHttp({ method: 'POST', path: '/v1/tokens/verify', body: { token } });
  }

  /** Revokes one token, by the token itself or its `jti` (HTTP only: not a client-role subject). */
  revokeToken(which: { token: string } | { jti: string }): Promise<RevokeTokenResult> {
    return this.publicHttp({ method: 'POST', path: '/v1/tokens/revoke', body: which }, 'revokeToken');
  }

  /** A guest token with a unique user id (`POST /v1/guests`, `{ns}.v1.guests.create`). */
  createGuest(body: CreateGuestBody = {}): Promise<GuestResult> {
    if (this.nats) return this.nats.request(PUBLIC_SUBJECTS.createGuest, { ...body, ...this.natsCredentials() });
    return this.publicHttp({ method: 'POST', path: '/v1/guests', body });
  }

  /** An anonymous viewer token (`POST /v1/anonymous-tokens`, `{ns}.v1.anonymous.create`). */
  createAnonymousToken(body: CreateAnonymousBody): Promise<AnonymousResult> {
    if (this.nats) return this.nats.request(PUBLIC_SUBJECTS.createAnonymous, { ...body, ...this.natsCredentials() });
    return this.publicHttp({ method: 'POST', path: '/v1/anonymous-tokens', body });
  }

  /** Every token of `userId` issued before `issuedBefore` (default now) is refused (HTTP only). */
  revokeUser(userId: string, issuedBefore?: string | Date): Promise<RevokedUserTokens> {
    const body = issuedBefore === undefined ? {} : { issuedBefore: issuedBefore instanceof Date ? issuedBefore.toISOString() : issuedBefore };
    return this.publicHttp({ method: 'POST', path: `/v1/users/${segment(userId)}/revoke`, body }, 'revokeUser');
  }

  /**
   * An invite (`POST /v1/invites`), created with the access token of a host whose token holds
   * `guests:invite`; no API key needed. `inviteCode` is shown once (HTTP only).
   */
  createInvite(accessToken: string, body: CreateInviteBody): Promise<CreatedInvite> {
    return this.httpOnly({ method: 'POST', path: '/v1/invites', auth: { kind: 'bearer', token: accessToken }, body }, 'createInvite');
  }

  /** Redeems an invite code for a guest token (`POST /v1/invites/{code}/redeem`, no credentials); `gone` 410 once used up or expired (HTTP only). */
  redeemInvite(code: string, body: RedeemInviteBody = {}): Promise<GuestResult> {
    return this.httpOnly({ method: 'POST', path: `/v1/invites/${segment(code)}/redeem`, auth: { kind: 'none' }, body }, 'redeemInvite');
  }

  /** Checks a webhook delivery's signature (Standard Webhooks) and returns its event. */
  verifyWebhook<E = Record<string, unknown>>(body: string | Uint8Array, headers: WebhookHeaders, secret: string, options?: WebhookVerifyOptions): E {
    return verifyWebhook<E>(body, headers, secret, options);
  }

  private natsCredentials(): { apiKey: string; secret: string } {
    const { apiKey, apiSecret } = this.options;
    if (!apiKey || !apiSecret) throw new RoomkeyError('unauthorized', 'RoomkeyClient: apiKey and apiSecret are required for this call', 401);
    return { apiKey, secret: apiSecret };
  }

  private publicHttp<T>(request: Omit<HttpRequest, 'auth'>, operation?: string): Promise<T> {
    if (!this.http) return Promise.reject(notOverNats(operation ?? request.path));
    const { apiKey, apiSecret } = this.options;
    if (!apiKey || !apiSecret) return Promise.reject(new RoomkeyError('unauthorized', 'RoomkeyClient: apiKey and apiSecret are required for this call', 401));
    return this.http.request<T>({ ...request, auth: { kind: 'basic', apiKey, apiSecret } });
  }

  /** A call that needs HTTP but none of the client's own credentials (it brings its own `auth`). */
  private httpOnly<T>(request: HttpRequest, operation: string): Promise<T> {
    if (!this.http) return Promise.reject(notOverNats(operation));
    return this.http.request<T>(request);
  }

  private adminRequest<T>(request: Omit<HttpRequest, 'auth'>): Promise<T> {
    if (!this.http) return Promise.reject(notOverNats(`admin ${request.method} ${request.path}`));
    if (!this.options.adminToken) return Promise.reject(new RoomkeyError('unauthorized', 'RoomkeyClient: adminToken is required for admin calls', 401));
    const auth: HttpAuth = { kind: 'bearer', token: this.options.adminToken };
    return this.http.request<T>({ ...request, auth });
  }
}

function notOverNats(operation: string): RoomkeyError {
  return new RoomkeyError(
    NOT_SUPPORTED,
    `${operation} is not available over NATS (the client role may only create, verify, guest and anonymous tokens); pass \`url\` to RoomkeyClient for it`,
    501,
  );
}

/** The partner's login app completes an authorization request (Ory Hydra's login-challenge model). Basic `apiKey:apiSecret` (a production key of the challenge's tenant). */
export interface LoginRequests {
  /** What the client asked for: `{challenge, tenant, clientId, redirectUri, requestedScope, requestedAudience, state, expiresAt}`. */
  get(challenge: string): Promise<LoginRequestView>;
  /** The user is authenticated: `{redirectTo}` is the client's redirect URI with a one-time code; send the browser there. */
  accept(challenge: string, body: AcceptLoginRequestBody): Promise<LoginRequestRedirect>;
  /** The login failed or was refused: `{redirectTo}` carries the error to the client. */
  reject(challenge: string, body: RejectLoginRequestBody): Promise<LoginRequestRedirect>;
}

/** Which tenant (realm) and which OAuth client. A confidential client authenticates with `client_secret_basic`; a public one (no secret) sends `client_id` alone. */
export interface OAuthClientAuth {
  tenant: string;
  clientId: string;
  clientSecret?: string;
}
/** A confidential client (with a secret): client_credentials, token exchange, introspection. */
export interface ConfidentialClientAuth extends OAuthClientAuth {
  clientSecret: string;
}
export interface ClientCredentialsOptions extends ConfidentialClientAuth {
  /** Space-separated scopes, within the client's; absent: all of them. */
  scope?: string;
  /** One of the client's audiences. */
  audience?: string;
}
export interface RefreshOptions extends OAuthClientAuth {
  refreshToken: string;
  /** May narrow the scope, never widen it. */
  scope?: string;
}
export interface AuthorizationCodeOptions extends OAuthClientAuth {
  /** The `code` from the redirect. */
  code: string;
  /** The `redirect_uri` of the authorization request, exactly. */
  redirectUri: string;
  /** The PKCE verifier whose S256 challenge the authorization request sent. */
  codeVerifier: string;
}
export interface TokenExchangeOptions extends ConfidentialClientAuth {
  /** A roomkey access token of the tenant, or a partner-signed HS256 token. */
  subjectToken: string;
  /** Default `urn:ietf:params:oauth:token-type:access_token`. */
  subjectTokenType?: SubjectTokenType;
  audience?: string;
  scope?: string;
  /** Room ids (RFC 8693 `resource`), each among the subject token's rooms. */
  resource?: string | readonly string[];
  /** A role at most the subject token's (a roomkey extension). */
  role?: Role;
}
export interface IntrospectOptions extends ConfidentialClientAuth {
  token: string;
}
/** A public client may revoke its own refresh token with its id alone. */
export interface RevokeOptions extends OAuthClientAuth {
  token: string;
}

type HttpOnlyCall = <T>(request: HttpRequest, operation: string) => Promise<T>;

/**
 * The OAuth 2.0 endpoints of a tenant (contract §4, Keycloak's paths), for a machine or app client
 * (`client.oauth`). Answers are the endpoints' own (snake_case, RFC 6749); an RFC 6749 §5.2 error
 * throws RoomkeyError with `code` the OAuth error (`invalid_client`, `invalid_grant`, …) and `status`.
 */
export class RoomkeyOAuth {
  constructor(private readonly call: HttpOnlyCall) {}

  /** `grant_type=client_credentials`: a service token (never a refresh token). */
  clientCredentials(options: ClientCredentialsOptions): Promise<TokenEndpointResult> {
    return this.token(options, 'clientCredentials', { grant_type: 'client_credentials', scope: options.scope, audience: options.audience });
  }

  /** `grant_type=refresh_token`: new tokens, and a new refresh token (the one sent is spent). */
  refresh(options: RefreshOptions): Promise<TokenEndpointResult> {
    return this.token(options, 'refresh', { grant_type: 'refresh_token', refresh_token: options.refreshToken, scope: options.scope });
  }

  /** `grant_type=authorization_code` with the PKCE verifier: the code from the redirect for tokens. */
  exchangeAuthorizationCode(options: AuthorizationCodeOptions): Promise<TokenEndpointResult> {
    return this.token(options, 'exchangeAuthorizationCode', {
      grant_type: 'authorization_code',
      code: options.code,
      redirect_uri: options.redirectUri,
      code_verifier: options.codeVerifier,
    });
  }

  /** RFC 8693 token exchange: a token never wider than the subject token, with `act: {sub: clientId}`. */
  exchangeToken(options: TokenExchangeOptions): Promise<TokenEndpointResult> {
    return this.token(options, 'exchangeToken', {
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: options.subjectToken,
      subject_token_type: options.subjectTokenType ?? ACCESS_TOKEN_TYPE_URN,
      audience: options.audience,
      scope: options.scope,
      resource: typeof options.resource === 'string' ? options.resource : options.resource && [...options.resource],
      role: options.role,
    });
  }

  /** RFC 7662: the token's claims with `active: true`, or `{active: false}` for anything not valid. */
  introspect(options: IntrospectOptions): Promise<IntrospectionResult> {
    const form: IntrospectionRequest = { token: options.token };
    return this.post(options, 'introspect', '/token/introspect', form);
  }

  /** RFC 7009: revokes a token issued to this client; a token already invalid is not an error. */
  async revoke(options: RevokeOptions): Promise<void> {
    const form: RevocationRequest = { token: options.token };
    await this.post(options, 'revoke', '/revoke', form);
  }

  private token(client: OAuthClientAuth, operation: string, form: TokenRequest): Promise<TokenEndpointResult> {
    return this.post(client, operation, '/token', form);
  }

  private post<T>(client: OAuthClientAuth, operation: string, endpoint: string, form: FormParams): Promise<T> {
    const { tenant, clientId, clientSecret } = client;
    const auth: HttpAuth = clientSecret === undefined ? { kind: 'none' } : { kind: 'client', clientId, clientSecret };
    return this.call<T>(
      {
        method: 'POST',
        path: `/realms/${segment(tenant)}/protocol/openid-connect${endpoint}`,
        auth,
        form: clientSecret === undefined ? { ...form, client_id: clientId } : form,
      },
      `oauth.${operation}`,
    );
  }
}

type AdminCall = <T>(request: Omit<HttpRequest, 'auth'>) => Promise<T>;

const t = (tenant: string) => `/admin/tenants/${segment(tenant)}`;
const optionalBody = <B extends object>(body: B | undefined) => body ?? {};

type IsoTime = string | Date;

export interface TenantsAdmin {
  list(query?: ListTenantsQuery): Promise<AdminTenantPage>;
  create(body: CreateTenantBody): Promise<AdminTenant>;
  get(tenant: string): Promise<AdminTenant>;
  update(tenant: string, body: UpdateTenantBody): Promise<AdminTenant>;
  delete(tenant: string): Promise<void>;
}
export interface ApiKeysAdmin {
  create(tenant: string, body: CreateApiKeyBody): Promise<CreatedApiKey>;
  list(tenant: string): Promise<Items<ApiKeyView>>;
  update(tenant: string, apiKey: string, body: UpdateApiKeyBody): Promise<ApiKeyView>;
  rotate(tenant: string, apiKey: string, body?: RotateApiKeyBody): Promise<RotatedApiKey>;
  revoke(tenant: string, apiKey: string): Promise<void>;
}
export interface ClientsAdmin {
  create(tenant: string, body: CreateClientBody): Promise<CreatedClient>;
  list(tenant: string): Promise<Items<ClientView>>;
  get(tenant: string, clientId: string): Promise<ClientView>;
  update(tenant: string, clientId: string, body: UpdateClientBody): Promise<ClientView>;
  rotateSecret(tenant: string, clientId: string, body?: RotateClientSecretBody): Promise<RotatedClientSecret>;
  revoke(tenant: string, clientId: string): Promise<void>;
}
export interface SigningKeysAdmin {
  list(tenant: string): Promise<Items<SigningKeyView>>;
  rotate(tenant: string): Promise<SigningKeyView>;
  revoke(tenant: string, kid: string): Promise<SigningKeyView>;
}
export interface MediaPlatformsAdmin {
  put(tenant: string, platform: MediaPlatform, credentials: MediaPlatformCredentials): Promise<void>;
  delete(tenant: string, platform: MediaPlatform): Promise<void>;
}
export interface WebhooksAdmin {
  create(tenant: string, body: CreateWebhookBody): Promise<CreatedWebhook>;
  list(tenant: string): Promise<Items<WebhookView>>;
  delete(tenant: string, id: string): Promise<void>;
  deliveries(tenant: string, id: string): Promise<Items<WebhookDelivery>>;
}
export interface EventsAdmin {
  list(tenant: string, query?: ListEventsQuery): Promise<TenantEventPage>;
}
export interface AdminKeysAdmin {
  create(body: CreateAdminKeyBody): Promise<CreatedAdminKey>;
  list(): Promise<AdminKeyList>;
  revoke(id: string): Promise<void>;
}

/** Admin operations (contract §4, Bearer `ROOMKEY_ADMIN_TOKEN` or an admin key); HTTP only. */
export class RoomkeyAdmin {
  readonly tenants: TenantsAdmin;
  readonly apiKeys: ApiKeysAdmin;
  readonly clients: ClientsAdmin;
  readonly signingKeys: SigningKeysAdmin;
  readonly mediaPlatforms: MediaPlatformsAdmin;
  readonly webhooks: WebhooksAdmin;
  readonly events: EventsAdmin;
  readonly adminKeys: AdminKeysAdmin;
  /** Every token of the tenant issued before `issuedBefore` (default now) is refused within 1 s. */
  readonly revokeBefore: (tenant: string, issuedBefore?: IsoTime) => Promise<RevokedTenantTokens>;

  constructor(call: AdminCall) {
    this.revokeBefore = (tenant, issuedBefore) =>
      call<RevokedTenantTokens>({
        method: 'POST',
        path: `${t(tenant)}/revoke-before`,
        body: issuedBefore === undefined ? {} : { issuedBefore: issuedBefore instanceof Date ? issuedBefore.toISOString() : issuedBefore },
      });
    this.tenants = {
      list: (query: ListTenantsQuery = {}) => call<AdminTenantPage>({ method: 'GET', path: '/admin/tenants', query: { limit: query.limit, cursor: query.cursor } }),
      create: (body: CreateTenantBody) => call<AdminTenant>({ method: 'POST', path: '/admin/tenants', body }),
      get: (tenant: string) => call<AdminTenant>({ method: 'GET', path: t(tenant) }),
      update: (tenant: string, body: UpdateTenantBody) => call<AdminTenant>({ method: 'PATCH', path: t(tenant), body }),
      delete: (tenant: string) => call<void>({ method: 'DELETE', path: t(tenant) }),
    };
    this.apiKeys = {
      create: (tenant: string, body: CreateApiKeyBody) => call<CreatedApiKey>({ method: 'POST', path: `${t(tenant)}/api-keys`, body }),
      list: (tenant: string) => call<Items<ApiKeyView>>({ method: 'GET', path: `${t(tenant)}/api-keys` }),
      update: (tenant: string, apiKey: string, body: UpdateApiKeyBody) => call<ApiKeyView>({ method: 'PATCH', path: `${t(tenant)}/api-keys/${segment(apiKey)}`, body }),
      rotate: (tenant: string, apiKey: string, body?: RotateApiKeyBody) =>
        call<RotatedApiKey>({ method: 'POST', path: `${t(tenant)}/api-keys/${segment(apiKey)}/rotate`, body: optionalBody(body) }),
      revoke: (tenant: string, apiKey: string) => call<void>({ method: 'DELETE', path: `${t(tenant)}/api-keys/${segment(apiKey)}` }),
    };
    this.clients = {
      create: (tenant: string, body: CreateClientBody) => call<CreatedClient>({ method: 'POST', path: `${t(tenant)}/clients`, body }),
      list: (tenant: string) => call<Items<ClientView>>({ method: 'GET', path: `${t(tenant)}/clients` }),
      get: (tenant: string, clientId: string) => call<ClientView>({ method: 'GET', path: `${t(tenant)}/clients/${segment(clientId)}` }),
      update: (tenant: string, clientId: string, body: UpdateClientBody) => call<ClientView>({ method: 'PATCH', path: `${t(tenant)}/clients/${segment(clientId)}`, body }),
      rotateSecret: (tenant: string, clientId: string, body?: RotateClientSecretBody) =>
        call<RotatedClientSecret>({ method: 'POST', path: `${t(tenant)}/clients/${segment(clientId)}/secret/rotate`, body: optionalBody(body) }),
      revoke: (tenant: string, clientId: string) => call<void>({ method: 'DELETE', path: `${t(tenant)}/clients/${segment(clientId)}` }),
    };
    this.signingKeys = {
      list: (tenant: string) => call<Items<SigningKeyView>>({ method: 'GET', path: `${t(tenant)}/signing-keys` }),
      rotate: (tenant: string) => call<SigningKeyView>({ method: 'POST', path: `${t(tenant)}/signing-keys/rotate`, body: {} }),
      revoke: (tenant: string, kid: string) => call<SigningKeyView>({ method: 'POST', path: `${t(tenant)}/signing-keys/${segment(kid)}/revoke`, body: {} }),
    };
    this.mediaPlatforms = {
      put: (tenant: string, platform: MediaPlatform, credentials: MediaPlatformCredentials) =>
        call<void>({ method: 'PUT', path: `${t(tenant)}/media-platforms/${segment(platform)}`, body: credentials }),
      delete: (tenant: string, platform: MediaPlatform) => call<void>({ method: 'DELETE', path: `${t(tenant)}/media-platforms/${segment(platform)}` }),
    };
    this.webhooks = {
      create: (tenant: string, body: CreateWebhookBody) => call<CreatedWebhook>({ method: 'POST', path: `${t(tenant)}/webhooks`, body }),
      list: (tenant: string) => call<Items<WebhookView>>({ method: 'GET', path: `${t(tenant)}/webhooks` }),
      delete: (tenant: string, id: string) => call<void>({ method: 'DELETE', path: `${t(tenant)}/webhooks/${segment(id)}` }),
      deliveries: (tenant: string, id: string) => call<Items<WebhookDelivery>>({ method: 'GET', path: `${t(tenant)}/webhooks/${segment(id)}/deliveries` }),
    };
    this.events = {
      list: (tenant: string, query: ListEventsQuery = {}) =>
        call<TenantEventPage>({ method: 'GET', path: `${t(tenant)}/events`, query: { limit: query.limit, cursor: query.cursor, type: query.type } }),
    };
    this.adminKeys = {
      create: (body: CreateAdminKeyBody) => call<CreatedAdminKey>({ method: 'POST', path: '/admin/admin-keys', body }),
      list: () => call<AdminKeyList>({ method: 'GET', path: '/admin/admin-keys' }),
      revoke: (id: string) => call<void>({ method: 'DELETE', path: `/admin/admin-keys/${segment(id)}` }),
    };
  }
}

export type { AccessTokenClaims };
