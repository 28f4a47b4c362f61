/**
 * Every call the console makes, in one place, against the public HTTP API (contract §4): the admin
 * API with the admin key as a Bearer token, the v1 token API with an API key (Basic), and the admin
 * event feed read as Server-Sent Events. Failures throw `ApiError` carrying the contract's `error`
 * code and `message`, which the pages show as they are.
 */
import type {
  AdminTenant,
  ApiKeyView,
  ClientView,
  CreateClientBody,
  CreatedApiKey,
  CreatedClient,
  RotatedClientSecret,
  SigningKeyView,
  UpdateClientBody,
} from '../../../../libs/contracts/schemas/admin';
import type { TenantEvent } from '../../../../libs/contracts/schemas/events';
import type { CreatedWebhook, WebhookDelivery, WebhookView } from '../../../../libs/contracts/schemas/webhooks';
import type { Permission, Role } from '../../../../libs/contracts/roles';
import { SseParser } from './sse';

export type RoleMatrixOverride = Partial<Record<Role, Permission[]>>;

export type { AdminTenant, ApiKeyView, ClientView, CreatedApiKey, CreatedClient, CreatedWebhook, SigningKeyView, TenantEvent, WebhookDelivery, WebhookView };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
export interface RotatedApiKey {
  apiKey: string;
  secret: string;
  previousSecretValidUntil: string;
}
export interface ApiKeyCredentials {
  apiKey: string;
  secret: string;
}
export type TokenProfile = 'roomkey' | 'livekit' | 'getstream' | 'videosdk';
export interface AccessTokenBody {
  userId: string;
  role: string;
  rooms?: string[];
  ttlSeconds?: number;
  name?: string;
  profile?: TokenProfile;
}
export interface GuestBody {
  userId?: string;
  name?: string;
  rooms?: string[];
  profile?: TokenProfile;
}
export interface AnonymousBody {
  rooms: string[];
  profile?: TokenProfile;
}
/** What the three token endpoints have in common, for the workbench. */
export interface MintedToken {
  accessToken: string;
  expiresIn: number;
  role?: string;
  permissions?: string[];
  profile?: string;
  user?: { id: string; name?: string | null; kind: string };
  [field: string]: unknown;
}

const enc = encodeURIComponent;

async function answerOf<T>(response: Response): Promise<T> {
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body ?? {}) as { error?: string; message?: string; error_description?: string };
    throw new ApiError(response.status, error.error ?? 'unavailable', error.message ?? error.error_description ?? `The server answered ${response.status}`);
  }
  return body as T;
}

async function send<T>(method: string, path: string, authorization: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { authorization, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials: 'omit' });
  } catch {
    throw new ApiError(0, 'unavailable', 'The gateway cannot be reached; is roomkey running?');
  }
  return answerOf<T>(response);
}

const basic = ({ apiKey, secret }: ApiKeyCredentials) => `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(`${apiKey}:${secret}`)))}`;

/** The admin API, as the holder of one admin key (the bootstrap token or an `rk_admin_…` key). */
export class AdminApi {
  constructor(private readonly adminKey: string) {}

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return send<T>(method, path, `Bearer ${this.adminKey}`, body);
  }

  // tenants
  listTenants = (cursor?: string | null, limit = 20) => this.call<Page<AdminTenant>>('GET', `/admin/tenants?limit=${limit}${cursor ? `&cursor=${enc(cursor)}` : ''}`);
  getTenant = (tenant: string) => this.call<AdminTenant>('GET', `/admin/tenants/${enc(tenant)}`);
  createTenant = (body: { shortcode: string; name: string; loginUrl?: string; guestAccess?: boolean; anonymousAccess?: boolean }) =>
    this.call<AdminTenant>('POST', '/admin/tenants', body);
  updateTenant = (tenant: string, body: { name?: string; loginUrl?: string | null; guestAccess?: boolean; anonymousAccess?: boolean; roleMatrix?: RoleMatrixOverride | null }) =>
    this.call<AdminTenant>('PATCH', `/admin/tenants/${enc(tenant)}`, body);
  deleteTenant = (tenant: string) => this.call<void>('DELETE', `/admin/tenants/${enc(tenant)}`);

  // API keys
  listApiKeys = (tenant: string) => this.call<{ items: ApiKeyView[] }>('GET', `/admin/tenants/${enc(tenant)}/api-keys`);
  createApiKey = (tenant: string, body: { environment: 'production' | 'development'; name?: string }) =>
    this.call<CreatedApiKey>('POST', `/admin/tenants/${enc(tenant)}/api-keys`, body);
  rotateApiKey = (tenant: string, apiKey: string, graceSeconds: number) =>
    this.call<RotatedApiKey>('POST', `/admin/tenants/${enc(tenant)}/api-keys/${enc(apiKey)}/rotate`, { graceSeconds });
  revokeApiKey = (tenant: string, apiKey: string) => this.call<void>('DELETE', `/admin/tenants/${enc(tenant)}/api-keys/${enc(apiKey)}`);

  // OAuth clients
  listClients = (tenant: string) => this.call<{ items: ClientView[] }>('GET', `/admin/tenants/${enc(tenant)}/clients`);
  createClient = (tenant: string, body: CreateClientBody) => this.call<CreatedClient>('POST', `/admin/tenants/${enc(tenant)}/clients`, body);
  updateClient = (tenant: string, clientId: string, body: UpdateClientBody) => this.call<ClientView>('PATCH', `/admin/tenants/${enc(tenant)}/clients/${enc(clientId)}`, body);
  rotateClientSecret = (tenant: string, clientId: string, graceSeconds: number) =>
    this.call<RotatedClientSecret>('POST', `/admin/tenants/${enc(tenant)}/clients/${enc(clientId)}/secret/rotate`, { graceSeconds });
  revokeClient = (tenant: string, clientId: string) => this.call<void>('DELETE', `/admin/tenants/${enc(tenant)}/clients/${enc(clientId)}`);

  // signing keys
  listSigningKeys = (tenant: string) => this.call<{ items: SigningKeyView[] }>('GET', `/admin/tenants/${enc(tenant)}/signing-keys`);
  rotateSigningKeys = (tenant: string) => this.call<SigningKeyView>('POST', `/admin/tenants/${enc(tenant)}/signing-keys/rotate`);
  revokeSigningKey = (tenant: string, kid: string) => this.call<SigningKeyView>('POST', `/admin/tenants/${enc(tenant)}/signing-keys/${enc(kid)}/revoke`);

  // webhooks
  listWebhooks = (tenant: string) => this.call<{ items: WebhookView[] }>('GET', `/admin/tenants/${enc(tenant)}/webhooks`);
  createWebhook = (tenant: string, body: { url: string; events: string[] }) => this.call<CreatedWebhook>('POST', `/admin/tenants/${enc(tenant)}/webhooks`, body);
  deleteWebhook = (tenant: string, id: string) => this.call<void>('DELETE', `/admin/tenants/${enc(tenant)}/webhooks/${enc(id)}`);
  listDeliveries = (tenant: string, id: string) => this.call<{ items: WebhookDelivery[] }>('GET', `/admin/tenants/${enc(tenant)}/webhooks/${enc(id)}/deliveries`);

  // events
  listEvents = (tenant: string, options: { cursor?: string | null; type?: string; limit?: number } = {}) => {
    const query = new URLSearchParams({ limit: String(options.limit ?? 50) });
    if (options.cursor) query.set('cursor', options.cursor);
    if (options.type) query.set('type', options.type);
    return this.call<Page<TenantEvent>>('GET', `/admin/tenants/${enc(tenant)}/events?${query}`);
  };

  /**
   * Follows the tenant's event feed (`Accept: text/event-stream`) until `signal` aborts, resuming
   * after `lastEventId` (a frame `id:`, the stream's sequence; not an event's own id); resolves
   * with the last frame id when the server ends the stream. Rejects with an ApiError
   * `not_streaming` when the server answers something other than an event stream.
   */
  async followEvents(tenant: string, options: { lastEventId?: string; signal: AbortSignal; onEvent: (event: TenantEvent, id: string | undefined) => void; onOpen?: () => void }): Promise<string | undefined> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.adminKey}`, accept: 'text/event-stream' };
    if (options.lastEventId) headers['last-event-id'] = options.lastEventId;
    const response = await fetch(`/admin/tenants/${enc(tenant)}/events`, { headers, signal: options.signal, cache: 'no-store', credentials: 'omit' });
    if (!response.ok) await answerOf(response);
    if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream') || !response.body) {
      await response.body?.cancel();
      throw new ApiError(response.status, 'not_streaming', 'This server does not stream events yet');
    }
    options.onOpen?.();
    const parser = new SseParser((frame) => {
      let data: unknown;
      try {
        data = JSON.parse(frame.data);
      } catch {
        return; // not JSON: a frame the console does not know
      }
      if (typeof data !== 'object' || data === null || Array.isArray(data)) return;
      // The stored event, shaped as the JSON list answers it (`occurredAt` as `time`, `actor` always there).
      const { occurredAt, time, actor, tenant: _tenant, id, type, ...fields } = data as Record<string, unknown>;
      const event: TenantEvent = {
        ...fields,
        id: String(id ?? frame.id),
        type: typeof type === 'string' ? type : frame.event,
        time: String(occurredAt ?? time ?? ''),
        actor: typeof actor === 'string' ? actor : null,
      };
      options.onEvent(event, frame.id);
    });
    parser.lastEventId = options.lastEventId;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(value);
      }
    } finally {
      reader.releaseLock();
    }
    return parser.lastEventId;
  }

  // admin keys: only to check a key at sign-in
  /** Succeeds when the key is accepted by the admin API (any scope that can read tenants). */
  check = () => this.listTenants(null, 1);
}

/** The v1 token API, as one API key of a tenant. */
export class TokenApi {
  constructor(private readonly credentials: ApiKeyCredentials) {}

  private call<T>(path: string, body: unknown): Promise<T> {
    return send<T>('POST', path, basic(this.credentials), body);
  }

  createAccessToken = (body: AccessTokenBody) => this.call<MintedToken>('/v1/access-tokens', body);
  createGuest = (body: GuestBody) => this.call<MintedToken>('/v1/guests', body);
  createAnonymousToken = (body: AnonymousBody) => this.call<MintedToken>('/v1/anonymous-tokens', body);
  verifyToken = (token: string) => this.call<{ active: true; claims: Record<string, unknown> }>('/v1/tokens/verify', { token });
  revokeToken = (token: string) => this.call<{ revoked: true; jti: string }>('/v1/tokens/revoke', { token });
}
