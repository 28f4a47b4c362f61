import { SseParser, type ServerSentEvent } from './ui/sse';

describe('the console SSE parser', () => {
  const parse = (...chunks: string[]) => {
    const events: ServerSentEvent[] = [];
    const parser = new SseParser((event) => events.push(event));
    for (const chunk of chunks) parser.push(chunk);
    return { events, parser };
  };

  it('reads id, event and data fields, skipping comments and retry', () => {
    const { events, parser } = parse('retry: 3000\n\n: keep-alive\n\nid: 7\nevent: token.revoked\ndata: {"type":"token.revoked"}\n\n');
    expect(events).toEqual([{ id: '7', event: 'token.revoked', data: '{"type":"token.revoked"}' }]);
    expect(parser.lastEventId).toBe('7');
    expect(parser.retryMs).toBe(3000);
  });

  it('joins events split anywhere across chunks, with \\n, \\r\\n or \\r line ends', () => {
    const { events } = parse('id: 1\r', '\nevent: a\r\ndata: x', '\r\n\r\nid: 2\rdata: y\rdata: z\r', '\r');
    expect(events).toEqual([
      { id: '1', event: 'a', data: 'x' },
      { id: '2', event: 'message', data: 'y\nz' },
    ]);
  });

  it('keeps the last id for events without one (for Last-Event-ID), and dispatches nothing without data', () => {
    const { events, parser } = parse('id: 9\n\n', 'data: later\n\n');
    expect(events).toEqual([{ id: '9', event: 'message', data: 'later' }]);
    expect(parser.lastEventId).toBe('9');
  });
});
