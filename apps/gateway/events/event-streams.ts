/**
 * The gateway's event streams (Server-Sent Events over the JetStream events stream): the revocation
 * stream of a tenant (GET /realms/{t}/revocations) and the admin event feed (GET
 * /admin/tenants/{t}/events with Accept: text/event-stream). Each stream is an ordered (ephemeral)
 * consumer filtered to the tenant's subjects; `id:` is the JetStream sequence, so `Last-Event-ID`
 * resumes exactly after the last event received.
 *
 * Where a stream starts:
 * - `Last-Event-ID` that the stream still holds the next of: right after it (no snapshot).
 * - otherwise (no id, an id older than what the stream keeps, or one it never had): the snapshot,
 *   when the stream has one, taken after reading the stream's last sequence S and sent with id S,
 *   then every event after S — an event is either in the snapshot's sources already or after S.
 *   The admin feed has no snapshot: it starts with new events (or, for a stale id, at the oldest).
 */
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DeliverPolicy, jetstream, jetstreamManager, type Consumer, type ConsumerMessages } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { DEFAULT_EVENT_STREAMS_PER_KEY, DEFAULT_EVENT_STREAM_HEARTBEAT_SECONDS, type GatewayConfig } from '@roomkey/config';
import type { Namespace } from '@roomkey/contracts';
import { InvalidRequestError, RateLimitedError, RoomkeyError, UnavailableError } from '@roomkey/errors';
import { JETSTREAM_STORAGE, NAMESPACE, NATS_CONNECTION, type JetStreamStorage } from '@roomkey/nats';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG } from '../infra.module';
import { SseResponse } from './sse-response';

/** What a client waits before reconnecting (the `retry:` field). */
const RETRY_MS = 3000;

export interface EventStreamRequest {
  request: FastifyRequest;
  reply: FastifyReply;
  tenant: string;
  /** Whose streams count towards the limit (an API key, an admin caller). */
  owner: string;
  /** Which event types go out (others are skipped); undefined: every type. */
  types?: readonly string[];
  /** The first event of a stream that does not resume (`event: snapshot`), if this stream has one. */
  snapshot?: () => Promise<object>;
  /** Asked at every heartbeat: false ends the stream (the caller's credential was revoked meanwhile). */
  stillAuthorised?: () => Promise<boolean>;
  /**
   * Ends the stream after an event of one of `types` for which `test` holds (sent if its type goes
   * out): the caller's credential is gone. Only those types are parsed, not every event of the tenant.
   */
  endsAfter?: { types: readonly string[]; test: (type: string, event: Record<string, unknown>) => boolean | Promise<boolean> };
}

/** `Last-Event-ID` (header) or `lastEventId` (query, for EventSource's first request): a stream sequence. */
export function lastEventIdOf(request: FastifyRequest): number | undefined {
  const header = request.headers['last-event-id'];
  const query = (request.query as Record<string, unknown> | undefined)?.lastEventId;
  const raw = typeof header === 'string' && header !== '' ? header : query;
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^[0-9]{1,16}$/.test(raw.trim())) {
    throw new InvalidRequestError("Field 'lastEventId' (or the Last-Event-ID header) must be the id of an event of this stream", 'lastEventId');
  }
  return Number(raw.trim());
}

/** An ordered consumer not yet made on the server throws at once rather than rejecting: both are ignored. */
function deleteQuietly(consumer: Consumer): void {
  void Promise.resolve()
    .then(() => consumer.delete())
    .catch(() => undefined);
}

async function endsStream(endsAfter: NonNullable<EventStreamRequest['endsAfter']>, type: string, data: string): Promise<boolean> {
  if (!endsAfter.types.includes(type)) return false;
  try {
    return await endsAfter.test(type, JSON.parse(data) as Record<string, unknown>);
  } catch {
    return false;
  }
}

/** Whether the client asked for Server-Sent Events. */
export function acceptsEventStream(request: FastifyRequest): boolean {
  return /(^|,)\s*text\/event-stream\s*(;|,|$)/i.test(request.headers.accept ?? '');
}

@Injectable()
export class EventStreams implements OnModuleDestroy {
  private readonly logger = new Logger(EventStreams.name);
  private readonly openByOwner = new Map<string, number>();
  private readonly open = new Set<() => void>();
  private readonly limit: number;
  private readonly heartbeatMs: number;
  private streamReady?: Promise<void>;

  constructor(
    @Inject(NATS_CONNECTION) private readonly connection: NatsConnection,
    @Inject(NAMESPACE) private readonly namespace: Namespace,
    @Inject(JETSTREAM_STORAGE) private readonly storage: JetStreamStorage,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.limit = config.eventStreamsPerKey ?? DEFAULT_EVENT_STREAMS_PER_KEY;
    this.heartbeatMs = (config.eventStreamHeartbeatSeconds ?? DEFAULT_EVENT_STREAM_HEARTBEAT_SECONDS) * 1000;
  }

  /** Streams open now (all owners), for tests and metrics. */
  get size(): number {
    return this.open.size;
  }

  /**
   * Answers with the stream. Everything that can fail with an error answer (a bad id, the limit,
   * the snapshot, the consumer) happens before the first byte, so errors keep the contract's JSON.
   */
  async serve(options: EventStreamRequest): Promise<void> {
    const resumeAfter = lastEventIdOf(options.request);
    const release = this.reserve(options.owner);
    let messages: ConsumerMessages | undefined;
    let consumer: Consumer | undefined;
    let snapshot: { id: number; data: object } | undefined;
    try {
      const state = await this.streamState();
      let startSeq: number;
      if (resumeAfter !== undefined && resumeAfter >= state.first - 1 && resumeAfter <= state.last) {
        startSeq = resumeAfter + 1;
      } else if (options.snapshot) {
        snapshot = { id: state.last, data: await options.snapshot() };
        startSeq = state.last + 1;
      } else {
        startSeq = resumeAfter !== undefined && resumeAfter < state.first ? state.first : state.last + 1;
      }
      consumer = await jetstream(this.connection).consumers.get(this.namespace.eventsStream, {
        filter_subjects: `${this.namespace.name}.v1.events.${options.tenant}.>`,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: Math.max(1, startSeq),
      });
      messages = await consumer.consume({ max_messages: 100 });
    } catch (error) {
      release();
      messages?.stop();
      if (consumer) deleteQuietly(consumer);
      if (error instanceof RoomkeyError) throw error;
      throw new UnavailableError(`The events stream could not be read: ${(error as Error).message}`);
    }
    this.pipe(options, consumer, messages, snapshot, release);
  }

  private pipe(options: EventStreamRequest, consumer: Consumer, messages: ConsumerMessages, snapshot: { id: number; data: object } | undefined, release: () => void): void {
    const sse = SseResponse.start(options.reply, RETRY_MS);
    const prefix = `${this.namespace.name}.v1.events.${options.tenant}.`;
    const heartbeat = setInterval(() => {
      void (async () => {
        if (options.stillAuthorised && !(await options.stillAuthorised().catch(() => true))) return stop();
        await sse.comment('keep-alive');
      })();
    }, this.heartbeatMs);
    heartbeat.unref();
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      clearInterval(heartbeat);
      // The server would keep an ordered consumer for its inactivity threshold (minutes): delete it now.
      messages.stop();
      deleteQuietly(consumer);
      this.open.delete(stop);
      release();
      sse.end();
    };
    this.open.add(stop);
    sse.onClose(stop);
    void (async () => {
      try {
        if (snapshot) await sse.send({ id: String(snapshot.id), event: 'snapshot', data: JSON.stringify(snapshot.data) });
        for await (const message of messages) {
          if (stopped) break;
          const type = message.subject.slice(prefix.length);
          const data = message.string();
          if (!options.types || options.types.includes(type)) await sse.send({ id: String(message.seq), event: type, data });
          if (options.endsAfter && (await endsStream(options.endsAfter, type, data))) break;
        }
      } catch (error) {
        this.logger.warn(`Event stream of tenant ${options.tenant} ended: ${(error as Error).message}`);
      } finally {
        // The client reconnects with Last-Event-ID and misses nothing.
        stop();
      }
    })();
  }

  /** Counts a stream against its owner's limit; the returned function gives the place back (once). */
  private reserve(owner: string): () => void {
    const count = this.openByOwner.get(owner) ?? 0;
    if (count >= this.limit) {
      throw new RateLimitedError(`At most ${this.limit} event streams may be open at once per key: close one first`, RETRY_MS / 1000);
    }
    this.openByOwner.set(owner, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.openByOwner.get(owner) ?? 1) - 1;
      if (left <= 0) this.openByOwner.delete(owner);
      else this.openByOwner.set(owner, left);
    };
  }

  private async streamState(): Promise<{ first: number; last: number }> {
    this.streamReady ??= this.storage.ensureEventsStream().catch((error) => {
      this.streamReady = undefined;
      throw error;
    });
    await this.streamReady;
    const manager = await jetstreamManager(this.connection, { checkAPI: false });
    const { state } = await manager.streams.info(this.namespace.eventsStream);
    return { first: state.first_seq, last: state.last_seq };
  }

  /** Before the HTTP server closes: it would otherwise wait for every open stream to end. */
  onModuleDestroy(): void {
    for (const stop of [...this.open]) stop();
  }
}
