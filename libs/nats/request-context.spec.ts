import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { attachRequestContext, callerGaveUp, deadlineOf, isAcceptableRequestId, NO_REQUEST, requestContextOf, requestContextOfHost } from './request-context';

describe('request context', () => {
  it('accepts 1–128 visible ASCII characters only', () => {
    expect(isAcceptableRequestId('abc-123_:/=+.~!')).toBe(true);
    expect(isAcceptableRequestId('x'.repeat(128))).toBe(true);
    for (const refused of ['', 'x'.repeat(129), 'has space', 'tab\there', 'é', 'line\n', undefined, 5, ['a']]) {
      expect(isAcceptableRequestId(refused)).toBe(false);
    }
  });

  it('reads a caller’s announced wait as a deadline, ignoring what is not 1 ms to 120 s in digits', () => {
    expect(deadlineOf('1500', 1000)).toBe(2500);
    expect(deadlineOf('120000', 0)).toBe(120_000);
    for (const bad of [undefined, '', '0', '120001', '-5', '1e3', '12.5', ' 100', '9999999']) expect(deadlineOf(bad, 1000)).toBeUndefined();
    expect(callerGaveUp({ deadline: 2000 }, 1999)).toBe(false);
    expect(callerGaveUp({ deadline: 2000 }, 2000)).toBe(true);
    expect(callerGaveUp({}, Number.MAX_SAFE_INTEGER)).toBe(false);
  });

  it('travels attached to its carrier (the Fastify request, the NATS context), replaced as it grows', () => {
    const carrier = {};
    expect(requestContextOf(carrier)).toBe(NO_REQUEST);
    attachRequestContext(carrier, { requestId: 'req-1', service: 'gateway' });
    attachRequestContext(carrier, { ...requestContextOf(carrier), actor: 'bootstrap' });
    expect(requestContextOf(carrier)).toEqual({ requestId: 'req-1', service: 'gateway', actor: 'bootstrap' });
    expect(requestContextOf(undefined)).toBe(NO_REQUEST);
  });

  it('is found from a handler’s host, HTTP or NATS', () => {
    const http = {};
    const nats = {};
    attachRequestContext(http, { requestId: 'from-http' });
    attachRequestContext(nats, { requestId: 'from-nats' });
    const host = (type: 'http' | 'rpc') => ({
      getType: () => type,
      switchToHttp: () => ({ getRequest: () => http }),
      switchToRpc: () => ({ getContext: () => nats }),
    });
    expect(requestContextOfHost(host('http') as never).requestId).toBe('from-http');
    expect(requestContextOfHost(host('rpc') as never).requestId).toBe('from-nats');
  });

  /**
   * On Node 20 an AsyncLocalStorage (or any async hook) makes every promise of the process pay for
   * context propagation: 7–12 % of the server CPU per token (bench/NOTES.md, item 5). The request context
   * is passed explicitly; this keeps it so. test/request-context.e2e-spec.ts checks the running services.
   */
  it('no service or library source uses AsyncLocalStorage or async hooks', () => {
    const root = join(__dirname, '..', '..');
    const offenders = [...sources(join(root, 'apps')), ...sources(join(root, 'libs'))]
      .filter((file) => /AsyncLocalStorage|createHook|executionAsyncResource|enterWith/.test(readFileSync(file, 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '')))
      .map((file) => file.slice(root.length + 1));
    expect(offenders).toEqual([]);
  });
});

function sources(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.ts$/.test(name) && !/\.spec\.ts$/.test(name) ? [path] : [];
  });
}
