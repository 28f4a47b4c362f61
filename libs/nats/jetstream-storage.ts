/**
 * Where roomkey keeps shared state on JetStream: the namespace's KV buckets and events stream, each
 * created with the deployment's replica count (ROOMKEY_JETSTREAM_REPLICAS: 1 on one server, 3 on a
 * cluster, so losing a node loses nothing). Every service opens its buckets through this one place.
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import type { KvBucketName, Namespace } from '@roomkey/contracts';

const EVENT_RETENTION_DAYS = 7;
/** A cluster elects its JetStream leaders within seconds of starting: wait that long for the API. */
const JETSTREAM_READY_ATTEMPTS = 40;
const JETSTREAM_RETRY_MS = 250;

export class JetStreamStorage {
  constructor(
    private readonly connection: NatsConnection,
    readonly namespace: Namespace,
    readonly replicas: number = 1,
  ) {}

  /** Opens the bucket, creating it with this deployment's replicas and entry lifetime if new. */
  openBucket(bucket: KvBucketName, ttlMs: number): Promise<KV> {
    return this.whenJetStreamAnswers(() => new Kvm(this.connection).create(this.namespace.bucket(bucket), { history: 1, ttl: ttlMs, replicas: this.replicas }));
  }

  /** Creates the events stream when it does not exist yet (idempotent; any service may call it). */
  ensureEventsStream(): Promise<void> {
    return this.whenJetStreamAnswers(async () => {
      const manager = await jetstreamManager(this.connection, { checkAPI: false });
      const name = this.namespace.eventsStream;
      try {
        await manager.streams.info(name);
      } catch {
        try {
          await manager.streams.add({
            name,
            subjects: [this.namespace.allEvents],
            max_age: nanos(EVENT_RETENTION_DAYS * 86400 * 1000),
            num_replicas: this.replicas,
          });
        } catch (error) {
          // Another service created it between our look-up and our add.
          await manager.streams.info(name).catch(() => {
            throw error;
          });
        }
      }
    });
  }

  /**
   * What a bucket holds now under keys matching `keyFilter` (NATS wildcards), read from the stream
   * itself rather than a replica's mirror: an ephemeral consumer delivering the last value of each
   * key, drained to the count it reported when made, then deleted. Deleted keys are left out.
   */
  async readBucket(bucket: KvBucketName, keyFilter: string): Promise<Array<{ key: string; value: string }>> {
    const name = this.namespace.bucket(bucket);
    const stream = `KV_${name}`;
    const prefix = `$KV.${name}.`;
    const manager = await jetstreamManager(this.connection, { checkAPI: false });
    const created = await manager.consumers.add(stream, {
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.LastPerSubject,
      filter_subject: prefix + keyFilter,
      inactive_threshold: nanos(30_000),
      mem_storage: true,
      num_replicas: 1,
    });
    const entries: Array<{ key: string; value: string }> = [];
    try {
      let remaining = created.num_pending;
      const consumer = await jetstream(this.connection).consumers.get(stream, created.name);
      while (remaining > 0) {
        let received = 0;
        const batch = await consumer.fetch({ max_messages: Math.min(remaining, 1000), expires: 5000 });
        for await (const message of batch) {
          received++;
          remaining = message.info.pending;
          const operation = message.headers?.get('KV-Operation');
          if (operation === 'DEL' || operation === 'PURGE') continue;
          entries.push({ key: message.subject.slice(prefix.length), value: message.string() });
        }
        if (received === 0) break;
      }
    } finally {
      await manager.consumers.delete(stream, created.name).catch(() => undefined);
    }
    return entries;
  }

  /** Retries while JetStream has no leader yet (a cluster starting, a node just restarted). */
  private async whenJetStreamAnswers<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        const retryable = /timeout|no responders|leader|unavailable|503|no suitable peers/i.test(String((error as Error).message ?? error));
        if (!retryable || attempt >= JETSTREAM_READY_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, JETSTREAM_RETRY_MS));
      }
    }
  }
}

/**
 * Mirrors a KV bucket into memory: replays what it holds, then follows every change. Resolves
 * once the replay is done (or after `initialLoadTimeoutMs`, so a slow bucket never blocks a start).
 */
export async function mirrorBucket(
  kv: KV,
  handlers: { put(key: string, value: string): void; remove(key: string): void },
  initialLoadTimeoutMs: number,
): Promise<{ stop(): void }> {
  const pending = (await kv.status()).values;
  const watcher = await kv.watch({ key: '>' });
  let markLoaded: () => void = () => undefined;
  const loaded = new Promise<void>((resolve) => (markLoaded = resolve));
  if (pending === 0) markLoaded();
  void (async () => {
    for await (const entry of watcher) {
      if (entry.operation === 'PUT') handlers.put(entry.key, entry.string());
      else handlers.remove(entry.key);
      if (entry.isUpdate || entry.delta === 0) markLoaded();
    }
  })();
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, initialLoadTimeoutMs).unref());
  await Promise.race([loaded, timeout]);
  return { stop: () => watcher.stop() };
}
