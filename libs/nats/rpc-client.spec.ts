import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { IdentityPublicRoutes, IdentityRoutes, IssuerBatchRoute, Namespace, PublicRoutes } from '@roomkey/contracts';
import { InvalidRequestError, UnavailableError, toWireError } from '@roomkey/errors';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_REQUEST, TIMEOUT_HEADER } from './request-context';
import { RpcClient } from './rpc-client';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startNatsServer, freePort } = require('../../scripts/nats-server') as {
  startNatsServer(options: { port: number; storeDir: string }): Promise<{ url: string; stop(): Promise<void> }>;
  freePort(): Promise<number>;
};

const encoder = new TextEncoder();
const route = PublicRoutes.createAccessToken;
type Item = { subject: string; requestId?: string; body: { userId: string } };

describe('RpcClient batching (group commit on the NATS hop)', () => {
  let dir: string;
  let server: { url: string; stop(): Promise<void> };
  let issuer: NatsConnection;
  let gateway: NatsConnection;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'roomkey-rpc-'));
    server = await startNatsServer({ port: await freePort(), storeDir: dir });
    issuer = await connect({ servers: server.url });
    gateway = await connect({ servers: server.url, noAsyncTraces: true });
  });

  afterAll(async () => {
    await gateway.close();
    await issuer.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fake issuer on the batch subject: answers each item (`fail-*` users with a wire error). */
  function batchResponder(options: { dropFirst?: number } = {}) {
    const batches: Item[][] = [];
    let dropped = 0;
    const sub = issuer.subscribe(IssuerBatchRoute.subject, {
      callback: (_error, message: Msg) => {
        const items = message.json<{ items: Item[] }>().items;
        batches.push(items);
        if (dropped < (options.dropFirst ?? 0)) {
          dropped++;
          return; // lost: the replica died holding it
        }
        const replies = items.map((item) =>
          item.body.userId.startsWith('fail') ? toWireError(new InvalidRequestError(`no ${item.body.userId}`)) : { ok: true, accessToken: `token-for-${item.body.userId}`, requestId: item.requestId },
        );
        message.respond(encoder.encode(JSON.stringify({ ok: true, items: replies })));
      },
    });
    return { batches, stop: () => sub.unsubscribe() };
  }

  it('sends a lone mint at once, coalesces the ones that arrive meanwhile, and fails only the failing item', async () => {
    const responder = batchResponder();
    await issuer.flush();
    const rpc = new RpcClient(gateway, 2000, new Namespace(), 1000, { enabled: true, maxItems: 16 });
    const users = Array.from({ length: 21 }, (_, i) => (i === 7 ? 'fail-7' : `user-${i}`));
    const results = await Promise.allSettled(
      users.map((userId) => rpc.request(route, { userId } as never, { requestId: `req-${userId}` })),
    );
    responder.stop();
    expect(responder.batches[0]).toHaveLength(1);
    expect(responder.batches.length).toBeLessThanOrEqual(3);
    expect(responder.batches.flat()).toHaveLength(users.length);
    results.forEach((result, i) => {
      if (users[i] === 'fail-7') {
        expect(result.status).toBe('rejected');
        expect((result as PromiseRejectedResult).reason).toBeInstanceOf(InvalidRequestError);
      } else {
        expect(result).toEqual({ status: 'fulfilled', value: { accessToken: `token-for-${users[i]}`, requestId: `req-${users[i]}` } });
      }
    });
  });

  it('asks a lost batch again (another replica), each item within its own deadline', async () => {
    const responder = batchResponder({ dropFirst: 1 });
    await issuer.flush();
    const rpc = new RpcClient(gateway, 3000, new Namespace(), 300, { enabled: true, maxItems: 16 });
    const results = await Promise.all(['a', 'b', 'c'].map((userId) => rpc.request(route, { userId } as never, NO_REQUEST)));
    responder.stop();
    expect(results.map((r) => (r as { accessToken: string }).accessToken)).toEqual(['token-for-a', 'token-for-b', 'token-for-c']);
    expect(responder.batches.length).toBeGreaterThanOrEqual(2);
  });

  it('sends each mint alone when no replica takes batches', async () => {
    const sub = issuer.subscribe(route.subject, {
      callback: (_error, message: Msg) => {
        message.respond(encoder.encode(JSON.stringify({ ok: true, single: message.json<{ userId: string }>().userId })));
      },
    });
    await issuer.flush();
    const rpc = new RpcClient(gateway, 2000, new Namespace(), 500, { enabled: true, maxItems: 16 });
    const results = await Promise.all(['x', 'y'].map((userId) => rpc.request(route, { userId } as never, NO_REQUEST)));
    sub.unsubscribe();
    expect(results).toEqual([{ single: 'x' }, { single: 'y' }]);
  });

  describe('deadlines (a caller that stops waiting)', () => {
    const redeem = IdentityRoutes.redeemInvite;

    it('tells the answering service how long it still waits, on requests that are not safe to repeat only', async () => {
      const seen: Array<string | undefined> = [];
      const subs = [redeem.subject, IdentityPublicRoutes.createGuest.subject].map((subject) =>
        issuer.subscribe(subject, {
          callback: (_error, message: Msg) => {
            seen.push(message.headers?.get(TIMEOUT_HEADER) || undefined);
            message.respond(encoder.encode('{"ok":true}'));
          },
        }),
      );
      await issuer.flush();
      const rpc = new RpcClient(gateway, 4000, new Namespace(), 1000, { enabled: false, maxItems: 1 });
      await rpc.request(redeem, { code: 'c' } as never, NO_REQUEST);
      await rpc.request(IdentityPublicRoutes.createGuest, {} as never, NO_REQUEST);
      for (const sub of subs) sub.unsubscribe();
      expect(Number(seen[0])).toBeGreaterThan(3000);
      expect(Number(seen[0])).toBeLessThanOrEqual(4000);
      expect(seen[1]).toBeUndefined();
    });

    it('waits no longer than the request it is made for, and does not ask once that caller gave up', async () => {
      let asked = 0;
      const sub = issuer.subscribe(redeem.subject, { callback: () => void asked++ }); // never answers
      await issuer.flush();
      const rpc = new RpcClient(gateway, 5000, new Namespace(), 1000, { enabled: false, maxItems: 1 });
      const started = Date.now();
      await expect(rpc.request(redeem, { code: 'c' } as never, { deadline: Date.now() + 300 })).rejects.toBeInstanceOf(UnavailableError);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(asked).toBe(1);
      await expect(rpc.request(redeem, { code: 'c' } as never, { deadline: Date.now() - 1 })).rejects.toThrow('stopped waiting');
      expect(asked).toBe(1);
      sub.unsubscribe();
    });
  });
});
