/**
 * Durable events on JetStream (publish side) and the plain subscription every replica uses to keep
 * its caches fresh (a queue group would hand each event to one replica only).
 */
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { nanos, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { EventFields, EventOf, EventType, Namespace, RoomkeyEvent } from '@roomkey/contracts';
import { UnavailableError } from '@roomkey/errors';
import { randomUUID } from 'node:crypto';
import { ServiceMetrics } from './metrics';

const encoder = new TextEncoder();

/**
 * Where domain code sends its events: the JetStream sink below in every service, a recording one in
 * tests. `actor`: the admin caller whose change it is (contract §4: `bootstrap` or an admin key's
 * id, from the request's context), undefined for what no admin did (a mint, a sweep).
 */
export interface EventSink {
  publish<K extends EventType>(tenant: string, type: K, fields: EventFields<K>, actor: string | undefined): Promise<void>;
}

/** The event as it goes on the wire: the envelope first, then the type's own fields. */
export function newEvent<K extends EventType>(tenant: string, type: K, fields: EventFields<K>, actor: string | undefined): EventOf<K> {
  return { id: randomUUID(), type, tenant, occurredAt: new Date().toISOString(), ...(actor === undefined ? {} : { actor }), ...fields } as EventOf<K>;
}

/**
 * The one event sink of every service: publishes durably on JetStream (resolves once stored),
 * retrying a few times with a short back-off (the event id is JetStream's de-duplication id, so a
 * retry never doubles an event); a final failure becomes a 503 worded by `describeFailure`.
 */
export class JetStreamEventSink implements EventSink {
  private readonly client: JetStreamClient;

  constructor(
    connection: NatsConnection,
    private readonly namespace: Namespace,
    private readonly describeFailure: (type: EventType, error: Error) => string,
    private readonly attempts = 3,
  ) {
    this.client = jetstream(connection);
    this.connection = connection;
  }

  private readonly connection: NatsConnection;

  async publish<K extends EventType>(tenant: string, type: K, fields: EventFields<K>, actor: string | undefined): Promise<void> {
    const event = newEvent(tenant, type, fields, actor);
    const payload = encoder.encode(JSON.stringify(event));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.publish(this.namespace.eventSubject(tenant, type), payload, { msgID: event.id });
        return;
      } catch (error) {
        if (attempt >= this.attempts) {
          ServiceMetrics.of(this.connection)?.eventPublishFailed(type);
          throw new UnavailableError(this.describeFailure(type, error as Error));
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }
}

/**
 * Delivers every event to this replica, and tells it when it may have missed some (after a
 * disconnect), so it can drop what it cached.
 */
export function subscribeToEvents(
  connection: NatsConnection,
  namespace: Namespace,
  onEvent: (event: RoomkeyEvent) => void,
  onPossiblyMissedEvents: () => void,
): { close(): void } {
  const subscription: Subscription = connection.subscribe(namespace.allEvents, {
    callback: (error, message) => {
      if (error) return;
      try {
        onEvent(message.json<RoomkeyEvent>());
      } catch {
        // A malformed event is ignored: events come from roomkey services only.
      }
    },
  });
  let closed = false;
  void (async () => {
    for await (const status of connection.status()) {
      if (closed) break;
      if (status.type === 'disconnect' || status.type === 'reconnect') onPossiblyMissedEvents();
    }
  })();
  return {
    close() {
      closed = true;
      subscription.unsubscribe();
    },
  };
}

/** The service's event sink (see JetStreamEventSink). */
export function jetStreamEventSink(
  connection: NatsConnection,
  namespace: Namespace,
  describeFailure: (type: EventType, error: Error) => string,
): EventSink {
  return new JetStreamEventSink(connection, namespace, describeFailure);
}
