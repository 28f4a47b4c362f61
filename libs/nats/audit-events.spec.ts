import { AuditEvents } from './audit-events';
import type { EventSink } from './events';

const REQUEST = { requestId: 'req-audit', service: 'issuer' };

describe('AuditEvents', () => {
  const published: unknown[][] = [];
  let now = 0;
  let failing = false;
  const sink = { publish: jest.fn(async (...args: unknown[]) => {
    published.push(args);
    if (failing) throw new Error('JetStream away');
  }) } as unknown as EventSink;
  const audit = new AuditEvents(sink, () => now);
  beforeEach(() => {
    published.length = 0;
    now += 60_000;
    failing = false;
  });

  it('publishes at most one event per key per cap, without waiting', () => {
    const fields = { actor: 'rk_1', credential: 'api-key' as const, reason: 'wrong secret' };
    expect(audit.publish('acme', 'auth.failed', fields, 'api-key rk_1', REQUEST)).toBe(true);
    expect(audit.publish('acme', 'auth.failed', fields, 'api-key rk_1', REQUEST)).toBe(false);
    expect(audit.publish('acme', 'auth.failed', { ...fields, actor: 'rk_2' }, 'api-key rk_2', REQUEST)).toBe(true);
    now += 1000;
    expect(audit.publish('acme', 'auth.failed', fields, 'api-key rk_1', REQUEST)).toBe(true);
    expect(published.map(([tenant, type, f]) => [tenant, type, (f as { actor: string }).actor])).toEqual([
      ['acme', 'auth.failed', 'rk_1'],
      ['acme', 'auth.failed', 'rk_2'],
      ['acme', 'auth.failed', 'rk_1'],
    ]);
  });

  it('a throttling decision is published once per block (its own cap)', () => {
    const fields = { actor: 'rk_1', limit: 'API key', retryAfterSeconds: 30 };
    expect(audit.publish('acme', 'auth.throttled', fields, 'rk_1', REQUEST, 30_000)).toBe(true);
    now += 29_000;
    expect(audit.publish('acme', 'auth.throttled', fields, 'rk_1', REQUEST, 30_000)).toBe(false);
  });

  it('never throws when publishing fails', async () => {
    failing = true;
    expect(() => audit.publish('acme', 'auth.failed', { actor: 'x', credential: 'client', reason: 'r' }, 'client x', REQUEST)).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
  });
});
