/**
 * Delivers events to webhook endpoints. Each endpoint has one durable JetStream consumer on the
 * events stream, filtered to its tenant's subjects (this nats-server takes one filter per consumer,
 * so types the endpoint did not choose are acknowledged and skipped). Every keys replica consumes
 * from the same durable consumers, so JetStream hands each event to one replica only. A failed
 * attempt is nak'ed with an exponential back-off (and jitter) and tried again until the event is
 * `retryForSeconds` old, then given up (term). Endpoints never wait for one another: each has its
 * own consumer and at most `concurrency` attempts in flight, each with a deadline.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { webhookSettings, type KeysConfig, type WebhookSettings } from '@roomkey/config';
import type { Namespace, WebhookDelivery } from '@roomkey/contracts';
import { webhookSignature, type SecretBox } from '@roomkey/crypto';
import { NAMESPACE, NATS_CONNECTION } from '@roomkey/nats';
import { createHash } from 'node:crypto';
import { CLOCK, KEYS_CONFIG, SECRET_BOX, type Clock } from '../ports';
import { WebhookDeliveries } from './webhook-deliveries';
import { WEBHOOK_STORE, type WebhookRecord, type WebhookStore } from './webhook.store';

const CONSUMER_PREFIX = 'webhook_';
const RESYNC_MS = 30_000;
const MAX_RETRY_DELAY_MS = 3600_000;
/** A consumer without its endpoint row is removed only once this old (its row may be on its way). */
const ORPHAN_GRACE_MS = 5 * 60_000;

interface RunningEndpoint {
  stop(): void;
}

/** The consumer of an endpoint (also its name on the events stream). */
export function webhookConsumerName(webhookId: string): string {
  return `${CONSUMER_PREFIX}${webhookId}`;
}

/** The webhook-id of an event's delivery to an endpoint: the same on every retry, different per endpoint. */
export function deliveryIdOf(webhookId: string, eventId: string): string {
  return `msg_${createHash('sha256').update(`${webhookId}.${eventId}`).digest('base64url').slice(0, 32)}`;
}

/** Exponential back-off from `baseMs`, doubling per attempt up to an hour, jittered to 50–100 %. */
export function retryDelayMs(baseMs: number, attempt: number, random = Math.random()): number {
  const ceiling = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly settings: WebhookSettings;
  private readonly running = new Map<string, RunningEndpoint>();
  private resync?: NodeJS.Timeout;
  private changes?: Subscription;
  private syncing?: Promise<void>;
  private syncAgain = false;
  private closed = false;

  constructor(
    @Inject(NATS_CONNECTION) private readonly connection: NatsConnection,
    @Inject(NAMESPACE) private readonly namespace: Namespace,
    @Inject(WEBHOOK_STORE) private readonly store: WebhookStore,
    @Inject(SECRET_BOX) private readonly secretBox: SecretBox,
    @Inject(KEYS_CONFIG) config: KeysConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly deliveries: WebhookDeliveries,
  ) {
    this.settings = webhookSettings(config);
  }

  async onApplicationBootstrap(): Promise<void> {
    // Another replica's creations and deletions reach this one as events; the timer covers a missed one.
    this.changes = this.connection.subscribe(`${this.namespace.name}.v1.events.*.webhook.*`, { callback: () => void this.sync() });
    this.resync = setInterval(() => void this.sync(), RESYNC_MS);
    this.resync.unref();
    await this.sync();
  }

  onApplicationShutdown(): void {
    this.closed = true;
    clearInterval(this.resync);
    this.changes?.unsubscribe();
    for (const endpoint of this.running.values()) endpoint.stop();
    this.running.clear();
  }

  /** Whether this replica is pulling deliveries for the endpoint now. */
  isServing(webhookId: string): boolean {
    return this.running.has(webhookId);
  }

  /** A new endpoint: its consumer starts at the next event, and this replica delivers at once. */
  async register(record: WebhookRecord): Promise<void> {
    await this.ensureConsumer(record);
    await this.start(record);
  }

  /** A deleted endpoint: its consumer goes, with whatever it had not delivered. */
  async unregister(webhookId: string): Promise<void> {
    this.running.get(webhookId)?.stop();
    this.running.delete(webhookId);
    const manager = await jetstreamManager(this.connection, { checkAPI: false });
    await manager.consumers.delete(this.namespace.eventsStream, webhookConsumerName(webhookId)).catch(() => undefined);
  }

  /** Follows the store: starts endpoints this replica does not serve yet, stops deleted ones, removes orphaned consumers. */
  sync(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      do {
        this.syncAgain = false;
        try {
          await this.syncOnce();
        } catch (error) {
          this.logger.warn(`Webhook endpoints could not be synchronised: ${(error as Error).message}`);
        }
      } while (this.syncAgain && !this.closed);
    })().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    if (this.closed) return;
    const records = await this.store.listAll();
    const known = new Set(records.map((record) => record.id));
    for (const record of records) {
      if (this.running.has(record.id) || this.closed) continue;
      try {
        await this.ensureConsumer(record);
        await this.start(record);
      } catch (error) {
        // One endpoint that cannot start (its secret unreadable, say) holds up no other.
        this.logger.warn(`Deliveries to webhook ${record.id} could not start: ${(error as Error).message}`);
      }
    }
    for (const [id, endpoint] of this.running) {
      if (known.has(id)) continue;
      endpoint.stop();
      this.running.delete(id);
    }
    const manager = await jetstreamManager(this.connection, { checkAPI: false });
    for await (const info of manager.consumers.list(this.namespace.eventsStream)) {
      if (!info.name.startsWith(CONSUMER_PREFIX) || known.has(info.name.slice(CONSUMER_PREFIX.length))) continue;
      if (this.clock.now() - Date.parse(info.created) < ORPHAN_GRACE_MS) continue;
      await manager.consumers.delete(this.namespace.eventsStream, info.name).catch(() => undefined);
    }
  }

  private async ensureConsumer(record: WebhookRecord): Promise<void> {
    const manager = await jetstreamManager(this.connection, { checkAPI: false });
    const name = webhookConsumerName(record.id);
    try {
      await manager.consumers.info(this.namespace.eventsStream, name);
      return;
    } catch {
      // not there yet
    }
    await manager.consumers.add(this.namespace.eventsStream, {
      durable_name: name,
      description: `roomkey webhook ${record.id} of tenant ${record.tenant}`,
      filter_subject: `${this.namespace.name}.v1.events.${record.tenant}.>`,
      deliver_policy: DeliverPolicy.New,
      ack_policy: AckPolicy.Explicit,
      // Longer than one attempt, so an attempt in flight is never handed to another replica too.
      ack_wait: nanos(this.settings.timeoutMs + 30_000),
      max_deliver: -1,
      max_ack_pending: this.settings.concurrency * 4,
    });
  }

  private async start(record: WebhookRecord): Promise<void> {
    if (this.running.has(record.id) || this.closed) return;
    const secret = this.secretBox.open(record.secretCiphertext, record.id);
    const consumer = await jetstream(this.connection).consumers.get(this.namespace.eventsStream, webhookConsumerName(record.id));
    const messages: ConsumerMessages = await consumer.consume({ max_messages: this.settings.concurrency, abort_on_missing_resource: true });
    let stopped = false;
    const endpoint: RunningEndpoint = {
      stop: () => {
        stopped = true;
        messages.stop();
      },
    };
    this.running.set(record.id, endpoint);
    const slots = new Slots(this.settings.concurrency);
    void (async () => {
      try {
        for await (const message of messages) {
          if (stopped) break;
          await slots.take();
          void this.deliver(record, secret, message).finally(() => slots.give());
        }
      } catch (error) {
        if (!stopped) this.logger.warn(`Deliveries to webhook ${record.id} stopped: ${(error as Error).message}`);
      } finally {
        // Gone for good (deleted) or interrupted: the next sync starts it again if it still exists.
        if (this.running.get(record.id) === endpoint) this.running.delete(record.id);
      }
    })();
  }

  /** One attempt: POST the event as published, signed; then ack, nak with a delay, or give up. */
  private async deliver(record: WebhookRecord, secret: string, message: JsMsg): Promise<void> {
    const type = message.subject.slice(`${this.namespace.name}.v1.events.${record.tenant}.`.length);
    if (!record.events.includes(type)) {
      message.ack();
      return;
    }
    const body = message.string();
    let eventId: string;
    try {
      eventId = String((JSON.parse(body) as { id: unknown }).id);
    } catch {
      message.term();
      return;
    }
    const id = deliveryIdOf(record.id, eventId);
    const attempt = message.info.deliveryCount;
    const attemptedAt = this.clock.now();
    const timestamp = Math.floor(attemptedAt / 1000);
    let status: number | null = null;
    let failure: string | undefined;
    try {
      const response = await fetch(record.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'roomkey-webhooks',
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': webhookSignature(secret, id, timestamp, body),
        },
        body,
        // A redirect is an answer, not a delivery: the endpoint is registered exactly.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
      status = response.status;
      await response.body?.cancel().catch(() => undefined);
      if (status < 200 || status > 299) failure = `The endpoint answered ${status}`;
    } catch (error) {
      const name = (error as Error).name;
      failure = name === 'TimeoutError' || name === 'AbortError' ? `No answer within ${this.settings.timeoutMs} ms` : `Could not reach the endpoint: ${describe(error)}`;
    }
    const delivery: WebhookDelivery = { id, eventId, type, attempts: attempt, lastStatus: status, lastAttemptAt: new Date(attemptedAt).toISOString(), state: 'delivered' };
    if (failure === undefined) {
      message.ack();
    } else {
      delivery.lastError = failure;
      const delay = retryDelayMs(this.settings.retryBaseMs, attempt);
      const publishedAt = Number(message.info.timestampNanos) / 1e6;
      if (attemptedAt + delay - publishedAt > this.settings.retryForSeconds * 1000) {
        message.term();
        delivery.state = 'failed';
      } else {
        message.nak(delay);
        delivery.state = 'pending';
        delivery.nextAttemptAt = new Date(attemptedAt + delay).toISOString();
      }
    }
    await this.deliveries.record(record.id, delivery).catch((error: Error) => this.logger.warn(`Delivery outcome of webhook ${record.id} not recorded: ${error.message}`));
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

/** At most `size` deliveries in flight for one endpoint. */
class Slots {
  private used = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {}

  async take(): Promise<void> {
    if (this.used < this.size) {
      this.used++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.used--;
  }
}
