import type { FastifyRequest } from 'fastify';
import { acceptsEventStream, lastEventIdOf } from './event-streams';

const request = (headers: Record<string, string>, query: Record<string, unknown> = {}) => ({ headers, query }) as unknown as FastifyRequest;

describe('event stream requests', () => {
  it('reads Last-Event-ID from the header first, then from the lastEventId query', () => {
    expect(lastEventIdOf(request({}))).toBeUndefined();
    expect(lastEventIdOf(request({ 'last-event-id': '42' }))).toBe(42);
    expect(lastEventIdOf(request({}, { lastEventId: '7' }))).toBe(7);
    expect(lastEventIdOf(request({ 'last-event-id': '42' }, { lastEventId: '7' }))).toBe(42);
    expect(lastEventIdOf(request({ 'last-event-id': '' }, { lastEventId: '7' }))).toBe(7);
  });

  it('refuses an id that is not a stream sequence with 400 naming lastEventId', () => {
    for (const bad of ['-1', '1.5', 'abc', '12345678901234567', ' ']) {
      expect(() => lastEventIdOf(request({ 'last-event-id': bad }))).toThrow(expect.objectContaining({ status: 400, message: expect.stringContaining('lastEventId') }));
    }
    expect(() => lastEventIdOf(request({}, { lastEventId: ['1', '2'] }))).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('recognises a request for Server-Sent Events among Accept values', () => {
    expect(acceptsEventStream(request({ accept: 'text/event-stream' }))).toBe(true);
    expect(acceptsEventStream(request({ accept: 'application/json, text/event-stream;q=0.9' }))).toBe(true);
    expect(acceptsEventStream(request({ accept: 'application/json' }))).toBe(false);
    expect(acceptsEventStream(request({ accept: 'text/event-streamx' }))).toBe(false);
    expect(acceptsEventStream(request({}))).toBe(false);
  });
});
