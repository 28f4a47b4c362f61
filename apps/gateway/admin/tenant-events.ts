/**
 * A tenant's recent events, newest first, read straight from the JetStream events stream
 * (`{NS}_EVENTS`, subjects `{ns}.v1.events.{tenant}.>`). JetStream reads forward only, so a page is
 * read window by window backwards from the cursor: each window [start, upper] is walked with
 * `STREAM.MSG.GET {seq, next_by_subj}` (the next message of the tenant at or after a sequence), and
 * windows grow until the page is full or the stream's first message is reached. The cursor is the
 * stream sequence of the last event answered; the next page holds older ones.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { EVENT_TYPES, EVENTS_PAGE, type EventType, type Namespace, type TenantEvent, type TenantEventPage } from '@roomkey/contracts';
import { InvalidRequestError, UnavailableError } from '@roomkey/errors';

export interface EventsQuery {
  limit?: unknown;
  cursor?: unknown;
  type?: unknown;
}

interface StoredMessage {
  seq: number;
  data: string;
}

const FIRST_WINDOW = 256;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The query, checked: a sentence naming the field otherwise (400). */
export function readEventsQuery(query: EventsQuery): { limit: number; before?: number; type?: EventType } {
  let limit: number = EVENTS_PAGE.default;
  if (query.limit !== undefined) {
    limit = typeof query.limit === 'string' && /^\d{1,4}$/.test(query.limit) ? Number(query.limit) : NaN;
    if (!(limit >= 1 && limit <= EVENTS_PAGE.max)) throw new InvalidRequestError(`Field 'limit' must be a whole number from 1 to ${EVENTS_PAGE.max}`, 'limit');
  }
  let before: number | undefined;
  if (query.cursor !== undefined) {
    if (typeof query.cursor !== 'string' || !/^[1-9][0-9]{0,15}$/.test(query.cursor)) {
      throw new InvalidRequestError("Field 'cursor' must be the nextCursor of a previous page", 'cursor');
    }
    before = Number(query.cursor);
  }
  if (query.type !== undefined && !(EVENT_TYPES as readonly unknown[]).includes(query.type)) {
    throw new InvalidRequestError(`Field 'type' must be an event type such as ${EVENT_TYPES.slice(0, 3).join(', ')}`, 'type');
  }
  return { limit, ...(before !== undefined ? { before } : {}), ...(query.type !== undefined ? { type: query.type as EventType } : {}) };
}

export class TenantEvents {
  constructor(
    private readonly connection: NatsConnection,
    private readonly namespace: Namespace,
    private readonly timeoutMs: number,
  ) {}

  async list(tenant: string, query: EventsQuery): Promise<TenantEventPage> {
    const { limit, before, type } = readEventsQuery(query);
    const filter = type ? this.namespace.eventSubject(tenant, type) : `${this.namespace.name}.v1.events.${tenant}.>`;
    const state = await this.streamState();
    if (state.messages === 0) return { items: [], nextCursor: null };
    let upper = Math.min(state.last, before === undefined ? state.last : before - 1);
    const found: StoredMessage[] = []; // newest first
    let window = Math.max(FIRST_WINDOW, limit * 4);
    while (upper >= state.first && found.length <= limit) {
      const start = Math.max(state.first, upper - window + 1);
      found.push(...(await this.readRange(filter, start, upper)).reverse());
      upper = start - 1;
      window *= 4;
    }
    const page = found.slice(0, limit);
    const more = found.length > limit;
    return { items: page.map(toItem), nextCursor: more ? String(page[page.length - 1].seq) : null };
  }

  /** The tenant's messages with sequences in [start, upper], oldest first. */
  private async readRange(filter: string, start: number, upper: number): Promise<StoredMessage[]> {
    const found: StoredMessage[] = [];
    for (let seq = start; seq <= upper; ) {
      const message = await this.nextMessage(filter, seq);
      if (!message || message.seq > upper) break;
      found.push(message);
      seq = message.seq + 1;
    }
    return found;
  }

  private async nextMessage(filter: string, seq: number): Promise<StoredMessage | undefined> {
    const answer = await this.api<{ message?: StoredMessage; error?: { code: number; description?: string } }>(`STREAM.MSG.GET.${this.namespace.eventsStream}`, {
      seq,
      next_by_subj: filter,
    });
    if (answer.error?.code === 404) return undefined;
    if (answer.error || !answer.message) throw new UnavailableError(`The events stream could not be read: ${answer.error?.description ?? 'no message'}`);
    return answer.message;
  }

  private async streamState(): Promise<{ first: number; last: number; messages: number }> {
    const answer = await this.api<{ state?: { first_seq: number; last_seq: number; messages: number }; error?: { code: number; description?: string } }>(
      `STREAM.INFO.${this.namespace.eventsStream}`,
      {},
    );
    if (answer.error?.code === 404) return { first: 0, last: 0, messages: 0 };
    if (!answer.state) throw new UnavailableError(`The events stream could not be read: ${answer.error?.description ?? 'no answer'}`);
    return { first: answer.state.first_seq, last: answer.state.last_seq, messages: answer.state.messages };
  }

  private async api<T>(call: string, body: object): Promise<T> {
    try {
      const reply = await this.connection.request(`$JS.API.${call}`, encoder.encode(JSON.stringify(body)), { timeout: this.timeoutMs });
      return JSON.parse(decoder.decode(reply.data)) as T;
    } catch (error) {
      throw new UnavailableError(`The events stream could not be read: ${(error as Error).message}`);
    }
  }
}

/** The stored event as the API answers it: `occurredAt` becomes `time`, `actor` is always there. */
function toItem(message: StoredMessage): TenantEvent {
  const { occurredAt, actor, tenant: _tenant, id, type, ...fields } = JSON.parse(Buffer.from(message.data, 'base64').toString('utf8')) as Record<string, unknown>;
  return { id: String(id), type: String(type), time: String(occurredAt), actor: typeof actor === 'string' ? actor : null, ...fields };
}
