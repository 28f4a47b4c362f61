/**
 * The fault suite (issue 11): bounded load on 127.0.0.1 against real services on a private NATS,
 * while a replica is SIGKILLed, the keys service is frozen, or NATS restarts. Clients never retry:
 * whatever they see is what roomkey gave them.
 */
import { createLocalJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { join } from 'node:path';
import { startNatsServer } from '../scripts/nats-server';
import { admin, http, startSystem, testDatabases, type RoomkeySystem } from './support/harness';

const database = testDatabases()[0];
jest.setTimeout(120_000);

interface LoadResult {
  ok: number;
  failed: Array<{ status: number; body: unknown }>;
  tokens: string[];
}

/** `workers` concurrent loops, each issuing one request after the other, until `stop()` resolves. */
async function load(workers: number, request: () => Promise<{ status: number; body: any }>, token: (body: any) => string, until: Promise<void>): Promise<LoadResult> {
  const result: LoadResult = { ok: 0, failed: [], tokens: [] };
  let done = false;
  void until.then(() => (done = true));
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!done) {
        const answer = await request();
        if (answer.status === 200 || answer.status === 201) {
          result.ok++;
          result.tokens.push(token(answer.body));
        } else result.failed.push({ status: answer.status, body: answer.body });
      }
    }),
  );
  return result;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function jwks(system: RoomkeySystem, tenant: string): Promise<JWTVerifyGetKey> {
  return createLocalJWKSet((await http(system, 'GET', `/realms/${tenant}/protocol/openid-connect/certs`)).body);
}

function clientCredentials(system: RoomkeySystem, client: { clientId: string; clientSecret: string }) {
  return async () => {
    const response = await fetch(`${system.baseUrl}/realms/acme/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }),
    });
    return { status: response.status, body: await response.json() };
  };
}

describe('a replica SIGKILLed under load', () => {
  let system: RoomkeySystem;

  beforeAll(async () => {
    system = await startSystem({ database, issuers: 0, issuerProcesses: 2, natsRequestTimeoutMs: 5000 });
  });
  afterAll(async () => system?.stop());

  it('costs clients no failed request, and every token verifies', async () => {
    await admin(system).createTenant('acme');
    const key = await admin(system).createApiKey('acme');
    const client = (await admin(system).call('POST', '/admin/tenants/acme/clients', { grantTypes: ['client_credentials'] })).body;
    const mint = () => http(system, 'POST', '/v1/access-tokens', { basic: key, body: { userId: 'alice', role: 'HOST', rooms: ['r1'] } });
    expect((await mint()).status).toBe(201);

    let stop!: () => void;
    const until = new Promise<void>((resolve) => (stop = resolve));
    const running = Promise.all([
      load(6, mint, (b) => b.accessToken, until),
      load(2, clientCredentials(system, client), (b) => b.access_token, until),
    ]);
    await sleep(1500);
    await system.processes.issuers[0].kill('SIGKILL');
    await sleep(2500);
    stop();
    const [created, granted] = await running;

    const ok = created.ok + granted.ok;
    const failed = [...created.failed, ...granted.failed];
    console.log(`replica SIGKILL under load: ${ok} tokens issued, ${failed.length} failed requests`);
    expect(failed).toEqual([]);
    expect(ok).toBeGreaterThan(50);
    const keys = await jwks(system, 'acme');
    for (const token of [...created.tokens, ...granted.tokens]) await jwtVerify(token, keys);
  });
});

describe('the keys service frozen', () => {
  let system: RoomkeySystem;

  beforeAll(async () => {
    system = await startSystem({ database, keysAsProcess: true, natsRequestTimeoutMs: 1500 });
  });
  afterAll(async () => {
    system?.processes.keys?.child.kill('SIGCONT');
    await system?.stop();
  });

  it('leaves issuance, guests, anonymous tokens and verification working for known tenants and clients; /readyz names the degradation', async () => {
    await admin(system).createTenant('acme', { guestAccess: true, anonymousAccess: true });
    const key = await admin(system).createApiKey('acme');
    const client = (await admin(system).call('POST', '/admin/tenants/acme/clients', { grantTypes: ['client_credentials'] })).body;
    const mint = () => http(system, 'POST', '/v1/access-tokens', { basic: key, body: { userId: 'alice', role: 'HOST', rooms: ['r1'] } });
    const grant = clientCredentials(system, client);
    // Warm every cache the way real traffic would.
    const warm = await mint();
    expect(warm.status).toBe(201);
    expect((await grant()).status).toBe(200);

    system.processes.keys!.child.kill('SIGSTOP');
    try {
      const deadline = Date.now() + 8000;
      let rounds = 0;
      while (Date.now() < deadline) {
        const minted = await mint();
        expect(minted.status).toBe(201);
        expect((await grant()).status).toBe(200);
        expect((await http(system, 'POST', '/v1/guests', { basic: key, body: { name: 'Gail' } })).status).toBe(201);
        expect((await http(system, 'POST', '/v1/anonymous-tokens', { basic: key, body: { rooms: ['r1'] } })).status).toBe(201);
        const verified = await http(system, 'POST', '/v1/tokens/verify', { basic: key, body: { token: minted.body.accessToken } });
        expect(verified.body.active).toBe(true);
        rounds++;
      }
      const ready = await http(system, 'GET', '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: 'degraded', checks: { issuance: 'degraded', admin: 'down' } });
      expect(ready.body.message).toMatch(/keys service/);
      // What needs the keys service says so plainly.
      const adminCall = await admin(system).call('GET', '/admin/tenants/acme');
      expect(adminCall.status).toBe(503);
      console.log(`keys frozen: ${rounds} rounds of issuance, guests, anonymous and verify all succeeded`);
    } finally {
      system.processes.keys!.child.kill('SIGCONT');
    }
  });
});

describe('NATS restarting under load', () => {
  let system: RoomkeySystem;

  beforeAll(async () => {
    system = await startSystem({ database, natsRequestTimeoutMs: 3000 });
  });
  afterAll(async () => system?.stop());

  it('serves again once NATS is back, and loses no revocation', async () => {
    await admin(system).createTenant('acme');
    const key = await admin(system).createApiKey('acme');
    const mint = () => http(system, 'POST', '/v1/access-tokens', { basic: key, body: { userId: 'alice', role: 'HOST' } });
    const revokedToken = (await mint()).body.accessToken;
    expect((await http(system, 'POST', '/v1/tokens/revoke', { basic: key, body: { token: revokedToken } })).status).toBe(200);

    const port = Number(new URL(system.natsUrl).port);
    await system.nats!.stop();
    const during = await mint();
    expect(during.status).toBe(503);
    expect(during.body).toMatchObject({ error: 'unavailable' });
    system.nats = await startNatsServer({ port, storeDir: join(system.dataDir, 'nats') });

    const deadline = Date.now() + 20_000;
    let after = await mint();
    while (after.status !== 201 && Date.now() < deadline) {
      await sleep(250);
      after = await mint();
    }
    expect(after.status).toBe(201);
    const verified = await http(system, 'POST', '/v1/tokens/verify', { basic: key, body: { token: revokedToken } });
    expect(verified.status).toBe(401);
  });
});

describe('failed authentications from one address', () => {
  let system: RoomkeySystem;

  beforeAll(async () => {
    system = await startSystem({ database, authFailuresPerAddress: 20, authFailuresPerIdentifier: 1000 });
  });
  afterAll(async () => system?.stop());

  it('throttle the failures, never a key that authenticates correctly from the same address', async () => {
    await admin(system).createTenant('acme');
    const good = await admin(system).createApiKey('acme');
    const other = await admin(system).createApiKey('acme');
    const mint = (key: { apiKey: string; secret: string }) => http(system, 'POST', '/v1/access-tokens', { basic: key, body: { userId: 'alice', role: 'GUEST' } });
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await mint({ apiKey: other.apiKey, secret: `wrong-${i}` })).status);
    expect(statuses.slice(0, 19).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(25)).toEqual(Array(75).fill(429));
    const limited = await mint({ apiKey: other.apiKey, secret: 'still-wrong' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Same address, a key that never failed, and the attacked key with its right secret: served.
    expect((await mint(good)).status).toBe(201);
    expect((await mint(other)).status).toBe(201);
  });
});
