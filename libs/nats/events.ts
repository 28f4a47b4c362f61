/**
 * Durable events on JetStream (publish side) and the plain subscription every replica uses to keep
 * its caches fresh (a queue group would hand each event to one replica only).
 */
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { nanos, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { EventType, Namespace, RoomkeyEvent } from '@roomkey/contracts';
import { UnavailableError } from '@roomkey/errors';
import { randomUUID } from 'node:crypto';

const encoder = new TextEncoder();
const EVENT_RETENTION_DAYS = 7;

/** Creates the events stream when it does not exist yet (idempotent; any service may call it). */
export async function ensureEventsStream(connection: NatsConnection, namespace: Namespace): Promise<void> {
  const manager = await jetstreamManager(connection);
  const name = namespace.eventsStream;
  try {
    await manager.streams.info(name);
  } catch {
    try {
      await manager.streams.add({
        name,
        subjects: [namespace.allEvents],
        max_age: nanos(EVENT_RETENTION_DAYS * 86400 * 1000),
      });
    } catch (error) {
      // Another service created it between our look-up and our add.
      await manager.streams.info(name).catch(() => {
        throw error;
      });
    }
  }
}

export type EventFields = Omit<RoomkeyEvent, 'id' | 'type' | 'tenant' | 'occurredAt'>;

export class EventPublisher {
  private readonly client: JetStreamClient;

  constructor(
    connection: NatsConnection,
    private readonly namespace: Namespace,
  ) {
    this.client = jetstream(connection);
  }

  /** Publishes durably; resolves once JetStream has stored the event. */
  async publish(tenant: string, type: EventType, fields: EventFields = {}): Promise<RoomkeyEvent> {
    const event: RoomkeyEvent = { id: randomUUID(), type, tenant, occurredAt: new Date().toISOString(), ...fields };
    await this.client.publish(this.namespace.eventSubject(tenant, type), encoder.encode(JSON.stringify(event)), { msgID: event.id });
    return event;
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

/**
 * Publishes on JetStream, retrying a few times with a short back-off; throws the last error when
 * every attempt failed (the caller decides whether that fails its request).
 */
export class RetryingEventPublisher {
  private readonly publisher: EventPublisher;

  constructor(
    connection: NatsConnection,
    namespace: Namespace,
    private readonly attempts = 3,
  ) {
    this.publisher = new EventPublisher(connection, namespace);
  }

  async publish(tenant: string, type: EventType, fields: EventFields = {}): Promise<RoomkeyEvent> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.publisher.publish(tenant, type, fields);
      } catch (error) {
        if (attempt >= this.attempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }
}

/**
 * An event sink for a service's domain code: publishes with retries and turns a final failure into
 * a 503 whose message `describeFailure` words for that service.
 */
export function jetStreamEventSink(
  connection: NatsConnection,
  namespace: Namespace,
  describeFailure: (type: EventType, error: Error) => string,
): { publish(tenant: string, type: EventType, fields?: EventFields): Promise<void> } {
  const publisher = new RetryingEventPublisher(connection, namespace);
  return {
    async publish(tenant, type, fields) {
      try {
        await publisher.publish(tenant, type, fields);
      } catch (error) {
        throw new UnavailableError(describeFailure(type, error as Error));
      }
    },
  };
}
