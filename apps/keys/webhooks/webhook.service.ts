import { Inject, Injectable, Logger } from '@nestjs/common';
import { webhookSettings, type KeysConfig } from '@roomkey/config';
import { MAX_WEBHOOKS_PER_TENANT, type CreateWebhookBody, type CreatedWebhook, type WebhookDelivery, type WebhookView } from '@roomkey/contracts';
import { newWebhookSecret, randomBase62, type SecretBox } from '@roomkey/crypto';
import { ConflictError, InvalidRequestError, NotFoundError } from '@roomkey/errors';
import { CLOCK, EVENT_SINK, KEYS_CONFIG, SECRET_BOX, type Clock, type EventSink } from '../ports';
import { TenantService } from '../tenants/tenant.service';
import { WebhookDeliveries } from './webhook-deliveries';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WEBHOOK_STORE, type WebhookRecord, type WebhookStore } from './webhook.store';

function toView(record: WebhookRecord): WebhookView {
  return { id: record.id, url: record.url, events: [...record.events], createdAt: new Date(record.createdAt).toISOString() };
}

/** A tenant's webhook endpoints: registered with a secret shown once (kept sealed), listed, deleted, and their deliveries. */
@Injectable()
export class WebhookService {
  private readonly logger = new Logger(WebhookService.name);
  private readonly allowHttp: boolean;

  constructor(
    @Inject(WEBHOOK_STORE) private readonly store: WebhookStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EVENT_SINK) private readonly events: EventSink,
    @Inject(SECRET_BOX) private readonly secretBox: SecretBox,
    @Inject(KEYS_CONFIG) config: KeysConfig,
    private readonly tenants: TenantService,
    private readonly dispatcher: WebhookDispatcher,
    private readonly deliveries: WebhookDeliveries,
  ) {
    this.allowHttp = webhookSettings(config).allowHttp;
  }

  async create(tenant: string, body: CreateWebhookBody): Promise<CreatedWebhook> {
    await this.tenants.get(tenant);
    const url = this.checkUrl(body.url);
    if ((await this.store.listByTenant(tenant)).length >= MAX_WEBHOOKS_PER_TENANT) {
      throw new ConflictError(`Tenant '${tenant}' has ${MAX_WEBHOOKS_PER_TENANT} webhooks already: delete one first`);
    }
    const id = `wh_${randomBase62(16)}`;
    const secret = newWebhookSecret();
    const record: WebhookRecord = { id, tenant, url, events: [...body.events], secretCiphertext: this.secretBox.seal(secret, id), createdAt: this.clock.now() };
    await this.store.insert(record);
    try {
      await this.dispatcher.register(record);
    } catch (error) {
      await this.store.delete(id);
      throw error;
    }
    this.logger.log(`Registered webhook ${id} of tenant ${tenant} for ${record.events.join(', ')}`);
    await this.events.publish(tenant, 'webhook.created', { webhookId: id, url, events: record.events });
    return { ...toView(record), secret };
  }

  async list(tenant: string): Promise<WebhookView[]> {
    await this.tenants.get(tenant);
    return (await this.store.listByTenant(tenant)).map(toView);
  }

  async delete(tenant: string, id: string): Promise<void> {
    await this.find(tenant, id);
    await this.store.delete(id);
    await this.dispatcher.unregister(id);
    void this.deliveries.forget(id).catch(() => undefined);
    this.logger.log(`Deleted webhook ${id} of tenant ${tenant}`);
    await this.events.publish(tenant, 'webhook.deleted', { webhookId: id });
  }

  async listDeliveries(tenant: string, id: string): Promise<WebhookDelivery[]> {
    await this.find(tenant, id);
    return this.deliveries.list(id);
  }

  private async find(tenant: string, id: string): Promise<WebhookRecord> {
    await this.tenants.get(tenant);
    const record = /^wh_[A-Za-z0-9]{16}$/.test(id) ? await this.store.find(id) : null;
    if (!record || record.tenant !== tenant) throw new NotFoundError(`Webhook '${id}' not found`);
    return record;
  }

  /** https, or http where allowed (outside production, or ROOMKEY_WEBHOOKS_ALLOW_HTTP); no credentials in it. */
  private checkUrl(raw: string): string {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new InvalidRequestError("Field 'url' must be an absolute https URL", 'url');
    }
    const allowed = this.allowHttp ? ['https:', 'http:'] : ['https:'];
    if (!allowed.includes(url.protocol)) {
      throw new InvalidRequestError(`Field 'url' must be an ${this.allowHttp ? 'http or https' : 'https'} URL`, 'url');
    }
    if (url.username || url.password) throw new InvalidRequestError("Field 'url' must not hold credentials", 'url');
    return url.toString();
  }
}
