/**
 * One Server-Sent Events answer (text/event-stream) on a hijacked Fastify reply: the headers the
 * reply already holds (X-Request-Id) plus the SSE ones, then `retry:`, events and comments. Writes
 * wait for the socket to drain, so a slow reader slows its own stream and nothing else.
 */
import type { FastifyReply } from 'fastify';
import type { ServerResponse } from 'node:http';

export interface SseEvent {
  id: string;
  event: string;
  /** One line of JSON (JSON.stringify never writes a newline). */
  data: string;
}

export class SseResponse {
  private readonly raw: ServerResponse;
  private ended = false;

  private constructor(reply: FastifyReply, retryMs: number) {
    reply.hijack();
    this.raw = reply.raw;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = String(value);
    this.raw.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx and similar proxies would otherwise hold events back in their buffers.
      'x-accel-buffering': 'no',
    });
    this.raw.write(`retry: ${retryMs}\n\n`);
    this.raw.on('close', () => (this.ended = true));
  }

  /** Takes the reply over: Fastify sends nothing more on it. */
  static start(reply: FastifyReply, retryMs: number): SseResponse {
    return new SseResponse(reply, retryMs);
  }

  get closed(): boolean {
    return this.ended || this.raw.destroyed;
  }

  async send(event: SseEvent): Promise<void> {
    await this.write(`id: ${event.id}\nevent: ${event.event}\ndata: ${event.data}\n\n`);
  }

  async comment(text: string): Promise<void> {
    await this.write(`: ${text}\n\n`);
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.raw.once('close', listener);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.raw.end();
  }

  private async write(chunk: string): Promise<void> {
    if (this.closed) return;
    if (this.raw.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.raw.off('drain', done);
        this.raw.off('close', done);
        resolve();
      };
      this.raw.once('drain', done);
      this.raw.once('close', done);
    });
  }
}
