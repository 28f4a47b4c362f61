/**
 * The message plane (contract §5.1): deployments kept apart by their namespace on one NATS, one
 * deployment per namespace, and the *client* role enforced by nats-server itself while the
 * services, on the *services* role, keep working.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { jetstreamManager } from '@nats-io/jetstream';
import { Namespace, KV_BUCKETS } from '@roomkey/contracts';
import { decodeJwt } from 'jose';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKeysService } from '../apps/keys/keys.app';
import { admin, eventually, http, startSystem, testDatabases, type RoomkeySystem } from './support/harness';
import { natsRoles } from './support/nats-roles';

const database = testDatabases()[0];
jest.setTimeout(60_000);

async function ask(nats: NatsConnection, subject: string, body: unknown): Promise<any> {
  const reply = await nats.request(subject, JSON.stringify(body), { timeout: 3000 });
  return reply.json();
}

describe('two deployments on one NATS', () => {
  let first: RoomkeySystem;
  let second: RoomkeySystem;
  let nats: NatsConnection;

  beforeAll(async () => {
    first = await startSystem({ database });
    second = await startSystem({ database, natsUrl: first.natsUrl, namespace: 'team-b' });
    nats = await connect({ servers: first.natsUrl });
  });

  afterAll(async () => {
    await nats?.close();
    await second?.stop();
    await first?.stop();
  });

  it('keep their own tenants, keys and events apart', async () => {
    // The same shortcode in both: each deployment has its own.
    await admin(first).createTenant('demo');
    await admin(second).createTenant('demo');
    const firstKey = await admin(first).createApiKey('demo');
    const secondKey = await admin(second).createApiKey('demo');

    // The second deployment's admin token is nothing to the first deployment.
    const foreignAdmin = await http(first, 'POST', '/admin/tenants/demo/api-keys', { bearer: second.adminToken, body: { environment: 'production' } });
    expect(foreignAdmin.status).toBe(401);
    // Each deployment knows only its own keys.
    const crossed = await http(second, 'POST', '/v1/access-tokens', { basic: firstKey, body: { userId: 'alice', role: 'HOST' } });
    expect(crossed.status).toBe(401);

    const events: string[] = [];
    const subscription = nats.subscribe('>', { callback: (_e, m) => void (m.subject.includes('.v1.events.') && events.push(m.subject)) });

    const onFirst = await ask(nats, 'roomkey.v1.tokens.create', { ...firstKey, userId: 'alice', role: 'HOST' });
    expect(onFirst.ok).toBe(true);
    const onSecond = await ask(nats, 'team-b.v1.tokens.create', { ...secondKey, userId: 'bob', role: 'GUEST' });
    expect(onSecond.ok).toBe(true);
    expect(decodeJwt(onSecond.accessToken).iss).toBe(`${second.baseUrl}/realms/demo`);
    expect((await ask(nats, 'team-b.v1.tokens.create', { ...firstKey, userId: 'x', role: 'HOST' })).error).toBe('unauthorized');

    const revoked = await http(second, 'POST', '/v1/tokens/revoke', { basic: secondKey, body: { token: onSecond.accessToken } });
    expect(revoked.status).toBe(200);
    await eventually(async () => events.some((s) => s === 'team-b.v1.events.demo.token.revoked'), 3000);
    expect(events.filter((s) => s.startsWith('roomkey.'))).not.toContain('roomkey.v1.events.demo.token.revoked');
    // The first deployment's token is untouched by the second's revocation.
    const stillActive = await http(first, 'POST', '/v1/tokens/verify', { basic: firstKey, body: { token: onFirst.accessToken } });
    expect(stillActive.body.active).toBe(true);
    subscription.unsubscribe();

    // Their JetStream state is apart too: one events stream each.
    const streams = await (await jetstreamManager(nats)).streams.names().next();
    expect(streams).toEqual(expect.arrayContaining([new Namespace('roomkey').eventsStream, new Namespace('team-b').eventsStream]));
  });

  it('refuses a second deployment (another database) on a namespace already served, naming it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'roomkey-intruder-'));
    try {
      const intruder = { ...first.configs.keys, dataDir, databaseUrl: undefined, masterKey: randomBytes(32) };
      await expect(startKeysService(intruder)).rejects.toThrow(
        new RegExp(`Namespace 'roomkey' on the NATS at ${first.natsUrl} is already served by another roomkey deployment.*ROOMKEY_NAMESPACE`),
      );
      // The deployment that holds it keeps serving.
      expect((await http(first, 'GET', '/readyz')).status).toBe(200);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses, in production, to start on a NATS that asks for no credentials unless allowed', async () => {
    await expect(startKeysService({ ...first.configs.keys, production: true })).rejects.toThrow(/asks for no credentials.*ROOMKEY_ALLOW_OPEN_NATS=1/);
    const allowed = await startKeysService({ ...first.configs.keys, production: true, allowOpenNats: true });
    await allowed.close();
  });

  it('lets a replica of the same deployment (same database) start', async () => {
    const replica = await startKeysService(first.configs.keys);
    await replica.close();
  });
});

describe('the client role on a NATS with both roles', () => {
  const roles = natsRoles();
  const { users } = roles;
  let system: RoomkeySystem;
  let client: NatsConnection;
  let key: { apiKey: string; secret: string };
  const violations: string[] = [];

  beforeAll(async () => {
    system = await startSystem({
      database,
      ...roles.system,
    });
    client = await connect({ servers: system.natsUrl, user: users.clientUser, pass: users.clientPassword });
    void (async () => {
      for await (const status of client.status()) {
        if (status.type === 'error') violations.push(String((status as { error?: unknown }).error));
      }
    })();
    await admin(system).createTenant('acme', { guestAccess: true, anonymousAccess: true });
    key = await admin(system).createApiKey('acme');
  });

  afterAll(async () => {
    await client?.close();
    await system?.stop();
  });

  it('stops a service at start with a sentence naming the variable when its credentials are wrong', async () => {
    await expect(startKeysService({ ...system.configs.keys, natsAuth: { user: users.servicesUser, pass: 'wrong' } })).rejects.toThrow(
      /refused the credentials in NATS_USER\/NATS_PASSWORD/,
    );
    await expect(startKeysService({ ...system.configs.keys, natsAuth: {} })).rejects.toThrow(/needs credentials: set NATS_USER\/NATS_PASSWORD/);
  });

  it('is refused without credentials, and with the client password for the services user', async () => {
    await expect(connect({ servers: system.natsUrl })).rejects.toThrow();
    await expect(connect({ servers: system.natsUrl, user: users.servicesUser, pass: users.clientPassword })).rejects.toThrow();
  });

  it('creates tokens on the public subjects and receives token.revoked events', async () => {
    const received: any[] = [];
    const events = client.subscribe('roomkey.v1.events.>', { callback: (_e, m) => void received.push(m.json()) });
    await client.flush();
    const created = await ask(client, 'roomkey.v1.tokens.create', { ...key, userId: 'alice', role: 'HOST', rooms: ['r1'] });
    expect(created.ok).toBe(true);
    const verified = await ask(client, 'roomkey.v1.tokens.verify', { ...key, token: created.accessToken });
    expect(verified).toMatchObject({ ok: true, active: true });
    expect((await ask(client, 'roomkey.v1.guests.create', { ...key, name: 'Gail' })).ok).toBe(true);
    expect((await ask(client, 'roomkey.v1.anonymous.create', { ...key, rooms: ['r1'] })).ok).toBe(true);

    const jti = decodeJwt(created.accessToken).jti;
    expect((await http(system, 'POST', '/v1/tokens/revoke', { basic: key, body: { token: created.accessToken } })).status).toBe(200);
    await eventually(async () => received.some((e) => e.type === 'token.revoked' && e.jti === jti), 3000);
    events.unsubscribe();
  });

  it('may not reach internal subjects, KV, streams, events or request subjects; the services keep working', async () => {
    const ns = new Namespace('roomkey');
    // An internal request: refused by the server, not a timeout.
    await expect(client.request('roomkey.internal.keys.tenants.create', JSON.stringify({ shortcode: 'evil', name: 'Evil' }), { timeout: 2000 })).rejects.toThrow(
      /permission/i,
    );
    await expect(client.request('roomkey.internal.issuer.tokens.mint', JSON.stringify({ tenant: 'acme', ttlSeconds: 60, claims: { sub: 'mallory' } }), { timeout: 2000 })).rejects.toThrow(
      /permission/i,
    );
    // KV read and write, stream read: the JetStream API is out of reach.
    await expect(new Kvm(client).open(ns.bucket('revokedTokens')).then((kv) => kv.get('x'))).rejects.toThrow();
    await expect(client.request(`$KV.${KV_BUCKETS.revokedTokens('roomkey')}.x`, 'forged', { timeout: 2000 })).rejects.toThrow(/permission/i);
    await expect(client.request(`$JS.API.STREAM.INFO.${ns.eventsStream}`, '', { timeout: 2000 })).rejects.toThrow(/permission/i);
    await expect(client.request(`$JS.API.STREAM.MSG.GET.${ns.eventsStream}`, JSON.stringify({ seq: 1 }), { timeout: 2000 })).rejects.toThrow(/permission/i);

    // Publishing a fake event is dropped by the server (reported as a violation), and nobody hears it.
    const heard: string[] = [];
    const probe = await connect({ servers: system.natsUrl, user: users.servicesUser, pass: users.servicesPassword });
    probe.subscribe('roomkey.v1.events.>', { callback: (_e, m) => void heard.push(m.subject) });
    await probe.flush();
    client.publish('roomkey.v1.events.acme.token.revoked', JSON.stringify({ type: 'token.revoked', tenant: 'acme', jti: 'forged' }));
    await client.flush();

    // Subscribing to a request subject (to read others' secrets) ends that subscription.
    const spy = client.subscribe('roomkey.v1.tokens.create');
    const closed = await Promise.race([spy.closed.then((e) => e ?? 'closed'), new Promise((r) => setTimeout(() => r('still open'), 2000))]);
    expect(String(closed)).toMatch(/permission/i);

    await eventually(async () => violations.filter((v) => /permission/i.test(v)).length >= 2, 3000);
    expect(heard).toEqual([]);
    await probe.close();

    // Everyone else is still served.
    const after = await ask(client, 'roomkey.v1.tokens.create', { ...key, userId: 'bob', role: 'VIEWER' });
    expect(after.ok).toBe(true);
    expect((await http(system, 'POST', '/v1/access-tokens', { basic: key, body: { userId: 'carol', role: 'GUEST' } })).status).toBe(201);
  });
});
