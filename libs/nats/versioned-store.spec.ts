/**
 * One behaviour for every VersionedStore: the JetStream KV adapter (on a private nats-server) and the
 * in-memory one the unit tests use are held to the same compare-and-set contract; then what only the
 * KV adapter has to get right (a write whose answer was lost, a key deleted and created again).
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { Bucket, Kvm, type KV } from '@nats-io/kv';
import { connect, errors, type NatsConnection } from '@nats-io/transport-node';
import { InMemoryVersionedStore } from '@roomkey/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContentionError, KvVersionedStore, type VersionedStore } from './versioned-store';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startNatsServer, freePort } = require('../../scripts/nats-server') as {
  startNatsServer(options: { port: number; storeDir: string }): Promise<{ url: string; stop(): Promise<void> }>;
  freePort(): Promise<number>;
};

interface Counter {
  count: number;
}

let dir: string;
let server: { url: string; stop(): Promise<void> };
let connection: NatsConnection;
let buckets = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roomkey-versioned-'));
  server = await startNatsServer({ port: await freePort(), storeDir: dir });
  connection = await connect({ servers: server.url });
});

afterAll(async () => {
  await connection?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const openBucket = async (): Promise<KV> => new Kvm(connection).create(`versioned_${++buckets}`, { history: 1 });

const implementations: Array<[string, () => Promise<VersionedStore<Counter>>]> = [
  ['JetStream KV', async () => new KvVersionedStore<Counter>(await openBucket(), 'counter')],
  ['in memory', async () => new InMemoryVersionedStore<Counter>()],
];

describe.each(implementations)('VersionedStore (%s)', (_name, open) => {
  let store: VersionedStore<Counter>;
  beforeEach(async () => {
    store = await open();
  });

  it('creates a key once; a second create of the same key answers false and changes nothing', async () => {
    expect(await store.create('a', { count: 1 })).toBe(true);
    expect(await store.create('a', { count: 9 })).toBe(false);
    expect((await store.get('a'))?.value).toEqual({ count: 1 });
    expect(await store.get('missing')).toBeNull();
  });

  it('updates at the revision read and refuses a stale revision', async () => {
    await store.create('a', { count: 1 });
    const first = (await store.get('a'))!;
    expect(await store.update('a', { count: 2 }, first.revision)).toBe(true);
    const second = (await store.get('a'))!;
    expect(second.revision).toBeGreaterThan(first.revision);
    expect(await store.update('a', { count: 3 }, first.revision)).toBe(false);
    expect((await store.get('a'))?.value).toEqual({ count: 2 });
  });

  it('modify: creates a missing key, leaves a value alone on undefined, and passes on a refusal', async () => {
    expect(await store.modify('a', (current) => ({ count: (current?.count ?? 0) + 1 }))).toEqual({ before: undefined, after: { count: 1 } });
    expect(await store.modify('a', () => undefined)).toEqual({ before: { count: 1 }, after: { count: 1 } });
    await expect(store.modify('a', () => { throw new Error('refused'); })).rejects.toThrow('refused');
    expect((await store.get('a'))?.value).toEqual({ count: 1 });
  });

  it('modify: 20 racing increments count 20, each exactly once', async () => {
    await store.create('a', { count: 0 });
    await Promise.all(Array.from({ length: 20 }, () => store.modify('a', (current) => ({ count: current!.count + 1 }), { attempts: 200 })));
    expect((await store.get('a'))?.value).toEqual({ count: 20 });
  });

  it('modify: gives up with ContentionError (a 503) when every round is lost', async () => {
    await store.create('a', { count: 0 });
    let rounds = 0;
    const outbid = () =>
      store.modify('a', async (current) => {
        rounds++;
        // Someone else writes between this read and its write, every time.
        const stored = (await store.get('a'))!;
        await store.update('a', { count: stored.value.count + 100 }, stored.revision);
        return { count: current!.count + 1 };
      }, { attempts: 3, contentionMessage: 'busy' });
    await expect(outbid()).rejects.toThrow(new ContentionError('busy'));
    expect(rounds).toBe(3);
  });
});

describe('KvVersionedStore on JetStream', () => {
  let kv: KV;
  let store: KvVersionedStore<Counter>;
  let client: JetStreamClient;

  beforeEach(async () => {
    kv = await openBucket();
    store = new KvVersionedStore<Counter>(kv, 'counter');
    client = (kv as Bucket).js;
  });

  /** The next `count` publishes land, but their answers are lost (a leader gone mid-write). */
  function loseAnswers(count: number): { lost: number } {
    const seen = { lost: 0 };
    const publish = client.publish.bind(client);
    jest.spyOn(client, 'publish').mockImplementation(async (...args) => {
      const ack = await publish(...args);
      if (seen.lost < count) {
        seen.lost++;
        throw new errors.TimeoutError();
      }
      return ack;
    });
    return seen;
  }

  afterEach(() => jest.restoreAllMocks());

  it('counts a write whose answer was lost once: the repeat is answered as a duplicate, not a lost race', async () => {
    await store.create('a', { count: 0 });
    const lost = loseAnswers(1);
    expect(await store.modify('a', (current) => ({ count: current!.count + 1 }))).toEqual({ before: { count: 0 }, after: { count: 1 } });
    expect(lost.lost).toBe(1);
    expect((await store.get('a'))?.value).toEqual({ count: 1 });
    // One message per write in the stream: the repeat stored nothing.
    const entries = [];
    for await (const entry of await kv.history({ key: 'counter.a' })) entries.push(entry.string());
    expect(entries).toEqual(['{"count":1}']);
  });

  it('counts a create whose answer was lost once', async () => {
    loseAnswers(1);
    expect(await store.create('b', { count: 7 })).toBe(true);
    expect(await store.create('b', { count: 8 })).toBe(false);
    expect((await store.get('b'))?.value).toEqual({ count: 7 });
  });

  it('fails with the last error once the answers stay lost past the retry budget', async () => {
    await store.create('a', { count: 0 });
    const lost = loseAnswers(1000);
    await expect(store.update('a', { count: 1 }, (await store.get('a'))!.revision)).rejects.toBeInstanceOf(errors.TimeoutError);
    expect(lost.lost).toBeGreaterThan(1);
  });

  it('creates a key again after it was deleted or purged', async () => {
    await store.create('a', { count: 1 });
    await kv.delete('counter.a');
    expect(await store.get('a')).toBeNull();
    expect(await store.create('a', { count: 2 })).toBe(true);
    await kv.purge('counter.a');
    expect(await store.create('a', { count: 3 })).toBe(true);
    expect((await store.get('a'))?.value).toEqual({ count: 3 });
  });

  it('refuses a KV handle it cannot publish through', () => {
    expect(() => new KvVersionedStore<Counter>({} as KV, 'x')).toThrow(TypeError);
  });

});
