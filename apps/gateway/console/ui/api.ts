/**
 * Every call the console makes, in one place, through the SDK's RoomkeyClient (@roomkey/sdk) over
 * this page's own origin: the admin API with the admin key as a Bearer token, the v1 token API with
 * an API key (Basic). The admin event feed is read here as Server-Sent Events with the SDK's parser
 * (fetch + a stream reader: EventSource cannot send an Authorization header). Failures are the SDK's
 * RoomkeyError carrying the contract's `code` and `message`, which the pages show as they are.
 */
import { RoomkeyClient, type RoomkeyAdmin } from '../../../../packages/sdk/src/client';
import { RoomkeyError } from '../../../../packages/sdk/src/errors';
import { readEventStream, SseParser } from '../../../../packages/sdk/src/sse';
import type { Permission, Role } from '../../../../libs/contracts/roles';
import type { AdminTenant, ApiKeyView, ClientView, CreatedApiKey, CreatedClient, SigningKeyView } from '../../../../libs/contracts/schemas/admin';
import type { TenantEvent } from '../../../../libs/contracts/schemas/events';
import type { CreatedWebhook, WebhookDelivery, WebhookView } from '../../../../libs/contracts/schemas/webhooks';

export { RoomkeyError };

/**
 * Every request of this page, the SDK's included, goes without credentials: the console has no
 * cookies to send, and a 401 carrying `WWW-Authenticate: Basic` (a refused token at
 * /v1/tokens/verify) would otherwise make the browser open its own sign-in prompt and hold the
 * call until it times out.
 */
const pageFetch = globalThis.fetch.bind(globalThis);
globalThis.fetch = (input, init) => pageFetch(input, { ...init, credentials: 'omit' });
export type { AdminTenant, ApiKeyView, ClientView, CreatedApiKey, CreatedClient, CreatedWebhook, SigningKeyView, TenantEvent, WebhookDelivery, WebhookView };
export type RoleMatrixOverride = Partial<Record<Role, Permission[]>>;
export type MediaPlatform = 'livekit' | 'getstream' | 'videosdk';
export type TokenProfile = 'roomkey' | MediaPlatform;
/** What the three token endpoints have in common, for the workbench. */
export interface MintedToken {
  accessToken: string;
  expiresIn: number;
  role?: string;
  permissions?: readonly string[];
  profile?: string;
  user?: { id: string };
}

/** The admin API, as the holder of one admin key (the bootstrap token or an `rk_admin_…` key). */
export class AdminApi {
  private readonly admin: RoomkeyAdmin;

  constructor(private readonly adminKey: string) {
    this.admin = new RoomkeyClient({ url: location.origin, adminToken: adminKey }).admin;
  }

  /** Succeeds when the admin API accepts the key (any key that can read tenants). */
  check = () => this.admin.tenants.list({ limit: 1 });

  // tenants
  listTenants = (cursor?: string | null, limit = 20) => this.admin.tenants.list({ limit, ...(cursor ? { cursor } : {}) });
  getTenant = (tenant: string) => this.admin.tenants.get(tenant);
  createTenant = (body: { shortcode: string; name: string; loginUrl?: string; guestAccess?: boolean; anonymousAccess?: boolean }) => this.admin.tenants.create(body);
  updateTenant = (tenant: string, body: { name?: string; loginUrl?: string | null; guestAccess?: boolean; anonymousAccess?: boolean; roleMatrix?: RoleMatrixOverride | null }) =>
    this.admin.tenants.update(tenant, body);
  deleteTenant = (tenant: string) => this.admin.tenants.delete(tenant);

  // API keys
  listApiKeys = (tenant: string) => this.admin.apiKeys.list(tenant);
  createApiKey = (tenant: string, body: { environment: 'production' | 'development'; name?: string }) => this.admin.apiKeys.create(tenant, body);
  rotateApiKey = (tenant: string, apiKey: string, graceSeconds: number) => this.admin.apiKeys.rotate(tenant, apiKey, { graceSeconds });
  revokeApiKey = (tenant: string, apiKey: string) => this.admin.apiKeys.revoke(tenant, apiKey);

  // OAuth clients
  listClients = (tenant: string) => this.admin.clients.list(tenant);
  createClient = (tenant: string, body: Parameters<RoomkeyAdmin['clients']['create']>[1]) => this.admin.clients.create(tenant, body);
  updateClient = (tenant: string, clientId: string, body: Parameters<RoomkeyAdmin['clients']['update']>[2]) => this.admin.clients.update(tenant, clientId, body);
  rotateClientSecret = (tenant: string, clientId: string, graceSeconds: number) => this.admin.clients.rotateSecret(tenant, clientId, { graceSeconds });
  revokeClient = (tenant: string, clientId: string) => this.admin.clients.revoke(tenant, clientId);

  // media platforms (the credentials claim profiles sign with; stored sealed, never returned)
  putMediaPlatform = (tenant: string, platform: MediaPlatform, credentials: { apiKey: string; apiSecret: string }) => this.admin.mediaPlatforms.put(tenant, platform, credentials);
  removeMediaPlatform = (tenant: string, platform: MediaPlatform) => this.admin.mediaPlatforms.delete(tenant, platform);

  // signing keys
  listSigningKeys = (tenant: string) => this.admin.signingKeys.list(tenant);
  rotateSigningKeys = (tenant: string) => this.admin.signingKeys.rotate(tenant);
  revokeSigningKey = (tenant: string, kid: string) => this.admin.signingKeys.revoke(tenant, kid);

  // webhooks
  listWebhooks = (tenant: string) => this.admin.webhooks.list(tenant);
  createWebhook = (tenant: string, body: Parameters<RoomkeyAdmin['webhooks']['create']>[1]) => this.admin.webhooks.create(tenant, body);
  deleteWebhook = (tenant: string, id: string) => this.admin.webhooks.delete(tenant, id);
  listDeliveries = (tenant: string, id: string) => this.admin.webhooks.deliveries(tenant, id);

  // events
  listEvents = (tenant: string, options: { cursor?: string | null; type?: string; limit?: number } = {}) =>
    this.admin.events.list(tenant, {
      limit: options.limit ?? 50,
      ...(options.cursor ? { cursor: options.cursor } : {}),
      ...(options.type ? { type: options.type as NonNullable<Parameters<RoomkeyAdmin['events']['list']>[1]>['type'] } : {}),
    });

  /**
   * Follows the tenant's event feed (`Accept: text/event-stream`) until `signal` aborts, resuming
   * after `lastEventId` (a frame `id:`, the stream's sequence; not an event's own id); resolves
   * with the last frame id when the server ends the stream. Rejects with a RoomkeyError
   * `not_streaming` when the server answers something other than an event stream.
   */
  async followEvents(
    tenant: string,
    options: { lastEventId?: string; signal: AbortSignal; onEvent: (event: TenantEvent, frameId: string | undefined) => void; onOpen?: () => void },
  ): Promise<string | undefined> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.adminKey}`, accept: 'text/event-stream' };
    if (options.lastEventId) headers['last-event-id'] = options.lastEventId;
    const response = await fetch(`/admin/tenants/${encodeURIComponent(tenant)}/events`, { headers, signal: options.signal, cache: 'no-store' });
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { error?: string; message?: string };
      throw new RoomkeyError(body.error ?? 'unavailable', body.message ?? `The event feed answered ${response.status}`, response.status);
    }
    if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream') || !response.body) {
      await response.body?.cancel();
      throw new RoomkeyError('not_streaming', 'This gateway does not stream events', response.status);
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
    await readEventStream(response.body, parser, options.signal);
    return parser.lastEventId;
  }
}

/** The v1 token API, as one API key of a tenant. */
export function tokenApi(apiKey: string, apiSecret: string): RoomkeyClient {
  return new RoomkeyClient({ url: location.origin, apiKey, apiSecret });
}
