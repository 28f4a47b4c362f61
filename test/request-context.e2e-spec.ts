/**
 * Issue 12: the request context (request id, admin actor, span) is passed explicitly, so no service
 * turns on async context tracking. On Node 20 a single AsyncLocalStorage.run (or any enabled async
 * hook) makes every promise of the process pay for context propagation: 7–12 % of the server CPU
 * per token (bench/NOTES.md, item 5). Every service runs in this process here (the harness), so a counting
 * AsyncLocalStorage and createHook, installed before the services are loaded, see anything any of
 * them (or the libraries they load) would set up, while the flows that carry a context still work:
 * the request id across gateway → issuer → keys, a batched mint, the admin actor on events.
 */
import { connect, headers } from '@nats-io/transport-node';

// The module object itself (what the services' compiled `import … from 'node:async_hooks'` reads), not a copy.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const asyncHooks = require('node:async_hooks') as typeof import('node:async_hooks');

const constructed: string[] = [];
const enabledHooks: string[] = [];
const RealStorage = asyncHooks.AsyncLocalStorage;
const realCreateHook = asyncHooks.createHook;
const whoCalled = () => (new Error().stack ?? '').split('\n').slice(2, 6).join(' | ');

beforeAll(() => {
  // Counted through the module object that compiled `import { AsyncLocalStorage } from 'node:async_hooks'` reads.
  (asyncHooks as { AsyncLocalStorage: unknown }).AsyncLocalStorage = class CountedStorage<T> extends RealStorage<T> {
    constructor() {
      super();
      constructed.push(whoCalled());
    }
  };
  (asyncHooks as { createHook: unknown }).createHook = (callbacks: import('node:async_hooks').HookCallbacks) => {
    const hook = realCreateHook(callbacks);
    const enable = hook.enable.bind(hook);
    hook.enable = () => {
      enabledHooks.push(whoCalled());
      return enable();
    };
    return hook;
  };
});

afterAll(() => {
  (asyncHooks as { AsyncLocalStorage: unknown }).AsyncLocalStorage = RealStorage;
  (asyncHooks as { createHook: unknown }).createHook = realCreateHook;
});

describe('request context without AsyncLocalStorage (sqlite)', () => {
  // Loaded after the counters are installed: the services' modules are evaluated here.
  let harness: typeof import('./support/harness');
  let system: import('./support/harness').RoomkeySystem;

  beforeAll(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    harness = require('./support/harness') as typeof import('./support/harness');
    system = await harness.startSystem({ database: 'sqlite', logLevel: 'info', logDestination: { write: () => undefined } });
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('the counters see a storage or hook made as a service would make one', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { AsyncLocalStorage, createHook } = require('node:async_hooks') as typeof import('node:async_hooks');
    new AsyncLocalStorage();
    const hook = createHook({}).enable();
    hook.disable();
    expect([constructed.length, enabledHooks.length]).toEqual([1, 1]);
    constructed.length = 0;
    enabledHooks.length = 0;
  });

  it('serves requests that carry a request id and an actor without constructing an AsyncLocalStorage or enabling an async hook', async () => {
    const { admin, http } = harness;
    await admin(system).createTenant('ctx');
    const key = await admin(system).createApiKey('ctx');
    // Concurrent mints (batched into one NATS message), each keeping its own request id.
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        http(system, 'POST', '/v1/access-tokens', { basic: key, body: { userId: `u${i}`, role: 'GUEST' }, headers: { 'x-request-id': `ctx-${i}` } }),
      ),
    );
    expect(answers.map((a) => [a.status, a.headers.get('x-request-id')])).toEqual(answers.map((_, i) => [201, `ctx-${i}`]));
    // An admin change: the gateway's actor reaches the keys service's event.
    const created = await http(system, 'POST', '/admin/tenants/ctx/api-keys', { bearer: system.adminToken, body: { environment: 'development' } });
    expect(created.status).toBe(201);
    const events = await http(system, 'GET', '/admin/tenants/ctx/events?type=api-key.created', { bearer: system.adminToken });
    expect(events.body.items.find((e: { apiKey?: string }) => e.apiKey === created.body.apiKey)).toMatchObject({ actor: 'bootstrap' });
    // A plain NATS caller's X-Request-Id.
    const nats = await connect({ servers: system.natsUrl });
    try {
      const sent = headers();
      sent.set('X-Request-Id', 'ctx-nats');
      const reply = await nats.request('roomkey.v1.tokens.create', JSON.stringify({ ...key, userId: 'n', role: 'GUEST' }), { timeout: 5000, headers: sent });
      expect(reply.json<{ ok: boolean }>().ok).toBe(true);
    } finally {
      await nats.close();
    }
    expect(constructed).toEqual([]);
    expect(enabledHooks).toEqual([]);
  });
});
