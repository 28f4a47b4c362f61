import type { EventFields, EventType } from '@roomkey/contracts';
import type { EventSink } from '@roomkey/nats';
import { UnavailableError } from '@roomkey/errors';

export interface RecordedEvent<K extends EventType = EventType> {
  tenant: string;
  type: K;
  fields: EventFields<K>;
  /** The admin caller the event names, if any. */
  actor?: string;
}

/** Records every published event, in order; `failing` makes publish fail as the JetStream sink does when NATS is down. */
export class RecordingEventSink implements EventSink {
  readonly events: RecordedEvent[] = [];
  failing = false;

  async publish<K extends EventType>(tenant: string, type: K, fields: EventFields<K>, actor: string | undefined): Promise<void> {
    if (this.failing) throw new UnavailableError('NATS is down');
    this.events.push({ tenant, type, fields: structuredClone(fields), ...(actor === undefined ? {} : { actor }) } as RecordedEvent);
  }

  ofType<K extends EventType>(type: K): RecordedEvent<K>[] {
    return this.events.filter((e): e is RecordedEvent<K> => e.type === type);
  }

  clear(): void {
    this.events.length = 0;
  }
}
