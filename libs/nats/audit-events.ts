/**
 * The audit trail's events (failed authentications, throttling decisions), published fire-and-forget
 * so that a refused request never waits for JetStream, and capped so that a brute-force run cannot
 * flood the stream: at most one event per key (type, tenant, identifier) per `capMs`. What is not
 * published is still logged by the caller.
 */
import type { EventFields, EventType } from '@roomkey/contracts';
import { errorLog, type LogContext } from '@roomkey/errors';
import type { EventSink } from './events';

/** Remembered keys beyond this are forgotten oldest first (a bounded map, whatever the traffic). */
const MAX_REMEMBERED = 10_000;

export class AuditEvents {
  private readonly lastPublished = new Map<string, number>();

  constructor(
    private readonly sink: EventSink,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Publishes unless an event with the same key went out less than `capMs` ago; answers whether it
   * was sent. Never throws and never waits: a failure to publish is logged at warn, for `context`
   * (the refused request).
   */
  publish<K extends 'auth.failed' | 'auth.throttled'>(tenant: string, type: K, fields: EventFields<K>, key: string, context: LogContext, capMs = 1000): boolean {
    const now = this.now();
    const id = `${type} ${tenant} ${key}`;
    const last = this.lastPublished.get(id);
    if (last !== undefined && now - last < capMs) return false;
    this.lastPublished.delete(id);
    this.lastPublished.set(id, now);
    if (this.lastPublished.size > MAX_REMEMBERED) this.lastPublished.delete(this.lastPublished.keys().next().value as string);
    // No admin did this: the refused caller is the fields' own `actor`, not the envelope's.
    const sent = (this.sink.publish as (tenant: string, type: EventType, fields: object, actor: undefined) => Promise<void>).call(this.sink, tenant, type, fields, undefined);
    sent.catch((error: Error) => errorLog.write('warn', `Audit event ${type} could not be published: ${error.message}`, { tenant }, context));
    return true;
  }
}
