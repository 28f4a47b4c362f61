/**
 * roomkey on a three-node NATS cluster (issue 11): streams and buckets with three replicas, the
 * services spread over the nodes by their URL lists; one node SIGKILLed under load costs no request
 * after the client's one retry and no state, and the node's return is absorbed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsCluster, type NatsCluster } from './support/nats-cluster';
import { admin, http, startSystem, testDatabases, type RoomkeySystem } from './support/harness';

const database = testDatabases()[0];
jest.setTimeout(180_000);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('a three-node NATS cluster', () => {
  let dir: string;
  let cluster: NatsCluster;
  let system: RoomkeySystem;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'roomkey-cluster-'));
    cluster = await startNatsCluster(dir, 3);
    system = await startSystem({
      database,
      issuers: 2,
      natsUrl: cluster.urls.join(','),
      natsAuth: { user: cluster.users.servicesUser, pass: cluster.users.servicesPassword },
      jetStreamReplicas: 3,
      natsRequestTimeoutMs: 5000,
    });
  });

  afterAll(async () => {
    await system?.stop();
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no request after one client retry, and no state, when a node dies; absorbs its return', async () => {
    await admin(system).createTenant('acme', { guestAccess: true });
    const key = await admin(system).createApiKey('acme');
    const mint = () => http(system, 'POST', '/v1/access-tokens', { basic: key, body: { userId: 'alice', role: 'HOST', rooms: ['r1'] } });
    const revoked = (await mint()).body.accessToken;
    expect((await http(system, 'POST', '/v1/tokens/revoke', { basic: key, body: { token: revoked } })).status).toBe(200);
    const host = (await mint()).body.accessToken;
    const invite = await http(system, 'POST', '/v1/invites', { bearer: host, body: { role: 'GUEST', maxUses: 3 } });
    expect(invite.status).toBe(201);
    const redeem = () => http(system, 'POST', `/v1/invites/${invite.body.inviteCode}/redeem`, { body: { name: 'G' } });
    expect((await redeem()).status).toBe(201);

    // Load, with one retry on the client's side, while a node is SIGKILLed.
    let done = false;
    let ok = 0;
    const failed: unknown[] = [];
    const worker = async () => {
      while (!done) {
        let answer = await mint();
        if (answer.status !== 201) answer = await mint();
        if (answer.status === 201) ok++;
        else failed.push(answer.body);
      }
    };
    const workers = Promise.all(Array.from({ length: 6 }, worker));
    await sleep(1000);
    await cluster.nodes[0].kill();
    await sleep(6000);
    done = true;
    await workers;
    console.log(`NATS node SIGKILLed under load: ${ok} tokens issued, ${failed.length} failed after one client retry`);
    expect(failed).toEqual([]);

    // No state lost: the revocation holds, the invite has exactly two uses left.
    const eventuallyOk = async <T>(call: () => Promise<T>, accept: (value: T) => boolean): Promise<T> => {
      const deadline = Date.now() + 15_000;
      let value = await call();
      while (!accept(value) && Date.now() < deadline) {
        await sleep(250);
        value = await call();
      }
      return value;
    };
    expect((await http(system, 'POST', '/v1/tokens/verify', { basic: key, body: { token: revoked } })).status).toBe(401);
    // Writes wait for the streams' new leaders (seconds after a SIGKILL): a 503 then is retried.
    expect((await eventuallyOk(redeem, (a) => a.status !== 503)).status).toBe(201);
    expect((await redeem()).status).toBe(201);
    expect((await redeem()).status).toBe(410);

    // The node comes back and catches up; then another node may die and nothing is lost either.
    await cluster.nodes[0].start();
    await sleep(3000);
    await cluster.nodes[1].kill();
    const afterSecondLoss = await eventuallyOk(mint, (a) => a.status === 201);
    expect(afterSecondLoss.status).toBe(201);
    const again = await eventuallyOk(
      () => http(system, 'POST', '/v1/tokens/revoke', { basic: key, body: { token: afterSecondLoss.body.accessToken } }),
      (a) => a.status === 200,
    );
    expect(again.status).toBe(200);
    expect((await http(system, 'POST', '/v1/tokens/verify', { basic: key, body: { token: revoked } })).status).toBe(401);
    // Every replica learns the new revocation within a second, the cluster recovering or not.
    const verifyLater = () => http(system, 'POST', '/v1/tokens/verify', { basic: key, body: { token: afterSecondLoss.body.accessToken } });
    expect((await eventuallyOk(verifyLater, (a) => a.status === 401)).status).toBe(401);
  });
});
