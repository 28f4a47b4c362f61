/**
 * Server-Sent Events over fetch (EventSource cannot send an Authorization header): parses the
 * `text/event-stream` format (WHATWG HTML §9.2) from the response body, and follows a stream with
 * reconnects and `Last-Event-ID`.
 */
export interface ServerSentEvent {
  event: string;
  data: string;
  id: string | undefined;
}

/** Feeds text chunks, emits complete events; comment lines (heartbeats) call `onComment`. */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id: string | undefined;
  /** The last `id` seen (kept across events, as the spec's "last event ID buffer"). */
  lastEventId: string | undefined;
  /** A `retry:` field the server sent, in ms. */
  retryMs: number | undefined;

  constructor(
    private readonly onEvent: (event: ServerSentEvent) => void,
    private readonly onComment: () => void = () => undefined,
  ) {}

  push(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      // A lone \r at the end of a chunk may be the first half of \r\n: wait for more.
      if (this.buffer[newline] === '\r' && newline === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + (this.buffer.startsWith('\r\n', newline) ? 2 : 1));
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return this.onComment();
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id') {
      if (!value.includes('\0')) this.id = value;
    } else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
  }

  private dispatch(): void {
    if (this.id !== undefined) this.lastEventId = this.id;
    if (this.data.length > 0) this.onEvent({ event: this.event || 'message', data: this.data.join('\n'), id: this.lastEventId });
    this.event = '';
    this.data = [];
    this.id = undefined;
  }
}

/** Reads one response body to its end, feeding the parser; resolves when the stream ends. */
export async function readEventStream(body: ReadableStream<Uint8Array>, parser: SseParser, signal: AbortSignal): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const abort = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', abort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.push(decoder.decode(value, { stream: true }));
    }
  } finally {
    signal.removeEventListener('abort', abort);
  }
}
