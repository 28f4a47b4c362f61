/**
 * RoomkeyClient: every public and admin operation of the contract (§4, §5), over HTTP (fetch) or
 * over a NATS connection the caller passes (client role: the four public subjects). The method
 * names are the same either way; failures throw RoomkeyError with the contract's `code` and `status`.
 */
import type {
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
  CreatedWebhook,
  CreateGuestBody,
  CreateTenantBody,
  CreateWebhookBody,
  GuestResult,
  Items,
  ListEventsQuery,
  ListTenantsQuery,
  MediaPlatform,
  MediaPlatformCredentials,
  RevokedTenantTokens,
  RevokedUserTokens,
  RevokeTokenResult,
  RotateApiKeyBody,
  RotateClientSecretBody,
  RotatedApiKey,
  RotatedClientSecret,
  SigningKeyView,
  TenantEventPage,
  UpdateApiKeyBody,
  UpdateClientBody,
  UpdateTenantBody,
  VerifyTokenResult,
  WebhookDelivery,
  WebhookView,
} from './contract-types';
import { NOT_SUPPORTED, RoomkeyError } from './errors';
import { HttpTransport, segment, type HttpAuth, type HttpRequest } from './http';
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
  private readonly http: HttpTransport | undefined;
  private readonly nats: NatsTransport | undefined;

  constructor(private readonly options: RoomkeyClientOptions) {
    if (!options || (options.url === undefined && options.nats === undefined)) throw new TypeError('RoomkeyClient: pass `url` (HTTP) or `nats` (a NATS connection)');
    const timeoutMs = options.timeoutMs ?? 10_000;
    this.http = options.url === undefined ? undefined : new HttpTransport(options.url, timeoutMs);
    this.nats = options.nats === undefined ? undefined : new NatsTransport(options.nats, checkNamespace(options.namespace ?? DEFAULT_NAMESPACE), timeoutMs);
    this.admin = new RoomkeyAdmin((request) => this.adminRequest(request));
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
