/**
 * Server-Sent Events framing (HTML Living Standard §9.2.6), for a feed read with fetch and a stream
 * reader: EventSource cannot send an Authorization header.
 */
export interface ServerSentEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/** Feed it text as it arrives; it calls `onEvent` for every complete event (blank-line terminated). */
export class SseParser {
  private buffer = '';
  private afterCarriageReturn = false;
  private data: string[] = [];
  private event = '';
  private id: string | undefined;
  /** The last `id:` seen (kept across events, as the standard says), for `Last-Event-ID` on reconnect. */
  lastEventId: string | undefined;
  /** `retry:` from the server, in milliseconds. */
  retryMs: number | undefined;

  constructor(private readonly onEvent: (event: ServerSentEvent) => void) {}

  push(text: string): void {
    this.buffer += text;
    // A \r that ended the previous chunk may be the first half of \r\n.
    if (this.afterCarriageReturn && this.buffer.startsWith('\n')) this.buffer = this.buffer.slice(1);
    this.afterCarriageReturn = false;
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith('\r\n', newline) ? 2 : 1;
      this.afterCarriageReturn = width === 1 && this.buffer[newline] === '\r' && newline === this.buffer.length - 1;
      this.buffer = this.buffer.slice(newline + width);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.id !== undefined) this.lastEventId = this.id;
      if (this.data.length > 0) this.onEvent({ id: this.lastEventId, event: this.event || 'message', data: this.data.join('\n') });
      this.data = [];
      this.event = '';
      this.id = undefined;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'data') this.data.push(value);
    else if (name === 'event') this.event = value;
    else if (name === 'id' && !value.includes('\0')) this.id = value;
    else if (name === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
  }
}
