import { Inject, Injectable } from '@nestjs/common';
import type { KV } from '@nats-io/kv';
import type { WebhookDelivery } from '@roomkey/contracts';
import { JETSTREAM_STORAGE, type JetStreamStorage } from '@roomkey/nats';

/** Outcomes are kept a week (the events stream keeps its events as long). */
const RETENTION_MS = 7 * 86400 * 1000;
/** The deliveries list answers the newest this many. */
const LIST_LIMIT = 100;

/**
 * The outcome of each delivery (one entry per event and endpoint, rewritten after each attempt) in
 * a JetStream KV bucket shared by every keys replica: `{webhookId}.{deliveryId}`.
 */
@Injectable()
export class WebhookDeliveries {
  private kv?: Promise<KV>;

  constructor(@Inject(JETSTREAM_STORAGE) private readonly storage: JetStreamStorage) {}

  /** Opened on first use (the dispatcher may deliver before every start-up hook has run). */
  private bucket(): Promise<KV> {
    this.kv ??= this.storage.openBucket('webhookDeliveries', RETENTION_MS).catch((error) => {
      this.kv = undefined;
      throw error;
    });
    return this.kv;
  }

  async record(webhookId: string, delivery: WebhookDelivery): Promise<void> {
    await (await this.bucket()).put(`${webhookId}.${delivery.id}`, JSON.stringify(delivery));
  }

  /** Newest attempt first. */
  async list(webhookId: string): Promise<WebhookDelivery[]> {
    await this.bucket();
    const entries = await this.storage.readBucket('webhookDeliveries', `${webhookId}.>`);
    const deliveries: WebhookDelivery[] = [];
    for (const { value } of entries) {
      try {
        deliveries.push(JSON.parse(value) as WebhookDelivery);
      } catch {
        // not ours
      }
    }
    return deliveries.sort((a, b) => b.lastAttemptAt.localeCompare(a.lastAttemptAt)).slice(0, LIST_LIMIT);
  }

  /** Forgets an endpoint's outcomes (the endpoint was deleted). */
  async forget(webhookId: string): Promise<void> {
    const kv = await this.bucket();
    const entries = await this.storage.readBucket('webhookDeliveries', `${webhookId}.>`);
    await Promise.all(entries.map(({ key }) => kv.purge(key).catch(() => undefined)));
  }
}
