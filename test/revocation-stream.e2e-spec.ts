/**
 * Issue 15, part 2: GET /realms/{t}/revocations (Server-Sent Events) and the admin event feed
 * (GET /admin/tenants/{t}/events with Accept: text/event-stream), against the real services on a
 * private NATS: the snapshot holds every kind of revocation in force, a revocation arrives within
 * a second, Last-Event-ID resumes exactly once, credentials and scopes are enforced, streams are
 * limited per key and their consumers go away with the client.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { decodeJwt } from 'jose';
import { EventStreams } from '../apps/gateway/events/event-streams';
import { admin, eventually, http, startSystem, testDatabases, type RoomkeySystem } from './support/harness';
import { openSse, type SseConnection } from './support/sse-client';

const STREAMS_PER_KEY = 3;

describe.each(testDatabases())('event streams: revocations and the admin feed (%s)', (database) => {
  let system: RoomkeySystem;
  let nats: NatsConnection;
  let alphaKey: { apiKey: string; secret: string };
  let betaKey: { apiKey: string; secret: string };
  const open: SseConnection[] = [];

  beforeAll(async () => {
    system = await startSystem({ database, gateway: { eventStreamsPerKey: STREAMS_PER_KEY, eventStreamHeartbeatSeconds: 1 } });
    await admin(system).createTenant('alpha');
    await admin(system).createTenant('beta');
    alphaKey = await admin(system).createApiKey('alpha');
    betaKey = await admin(system).createApiKey('beta');
    nats = await connect({ servers: system.natsUrl });
  });

  afterEach(() => {
    for (const connection of open.splice(0)) connection.close();
  });

  afterAll(async () => {
    await nats?.close();
    await system?.stop();
  });

  const basic = (key: { apiKey: string; secret: string }) => `Basic ${Buffer.from(`${key.apiKey}:${key.secret}`).toString('base64')}`;
  const revocations = async (tenant: string, headers: Record<string, string>, query = '') => {
    const connection = await openSse(`${system.baseUrl}/realms/${tenant}/revocations${query}`, headers);
    open.push(connection);
    return connection;
  };
  const mint = async (key: { apiKey: string; secret: string }, userId: string) => {
    const answer = await http(system, 'POST', '/v1/access-tokens', { basic: key, body: { userId, role: 'GUEST' } });
    expect(answer.status).toBe(201);
    return answer.body.accessToken as string;
  };
  const revokeToken = async (key: { apiKey: string; secret: string }, token: string) => {
    const answer = await http(system, 'POST', '/v1/tokens/revoke', { basic: key, body: { token } });
    expect(answer.status).toBe(200);
    return decodeJwt(token).jti as string;
  };
  const consumersOnEvents = async () => {
    const manager = await jetstreamManager(nats);
    return (await manager.streams.info('ROOMKEY_EVENTS')).state.consumer_count;
  };

  it('sends first a snapshot of every revocation in force: tokens, user and tenant cut-offs, signing keys, API keys', async () => {
    const spareKey = await admin(system).createApiKey('alpha');
    const revokedJti = await revokeToken(alphaKey, await mint(alphaKey, 'snap-user'));
    const userCutoff = await http(system, 'POST', '/v1/users/snap-user/revoke', { basic: alphaKey, body: {} });
    expect(userCutoff.status).toBe(200);
    const tenantCutoff = await admin(system).call('POST', '/admin/tenants/alpha/revoke-before', {});
    expect(tenantCutoff.status).toBe(200);
    const rotated = await admin(system).call('POST', '/admin/tenants/alpha/signing-keys/rotate');
    const keys = await admin(system).call('GET', '/admin/tenants/alpha/signing-keys');
    const retiring = keys.body.items.find((key: any) => key.state === 'retiring');
    expect(rotated.status).toBe(201);
    expect((await admin(system).call('POST', `/admin/tenants/alpha/signing-keys/${retiring.kid}/revoke`)).status).toBe(200);
    expect((await admin(system).call('DELETE', `/admin/tenants/alpha/api-keys/${spareKey.apiKey}`)).status).toBe(204);

    const stream = await revocations('alpha', { authorization: basic(alphaKey) });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.headers.get('x-request-id')).toBeTruthy();
    const snapshot = await stream.next((event) => event.event === 'snapshot');
    expect(stream.events[0]).toBe(snapshot);
    expect(stream.retry).toBeGreaterThan(0);
    expect(snapshot.id).toMatch(/^\d+$/);
    const body = JSON.parse(snapshot.data);
    expect(body.tenant).toBe('alpha');
    expect(body.tokens).toContainEqual({ jti: revokedJti, exp: expect.any(Number) });
    expect(body.users).toContainEqual({ userId: 'snap-user', issuedBefore: userCutoff.body.issuedBefore });
    expect(body.tenantIssuedBefore).toBe(tenantCutoff.body.issuedBefore);
    expect(body.signingKeys).toContainEqual({ kid: retiring.kid });
    expect(body.apiKeys).toContainEqual({ apiKey: spareKey.apiKey, revokedAt: expect.any(String) });
    // Only alpha's: beta's stream knows nothing of them.
    const beta = await revocations('beta', { authorization: basic(betaKey) });
    const betaSnapshot = JSON.parse((await beta.next((event) => event.event === 'snapshot')).data);
    expect(betaSnapshot).toEqual({ tenant: 'beta', tokens: [], users: [], tenantIssuedBefore: null, signingKeys: [], apiKeys: [] });
  });

  it('delivers a revoked token within a second, with the stream sequence as id and the event as published', async () => {
    const stream = await revocations('alpha', { authorization: basic(alphaKey) });
    const snapshot = await stream.next((event) => event.event === 'snapshot');
    const token = await mint(alphaKey, 'live-user');
    const started = Date.now();
    const jti = await revokeToken(alphaKey, token);
    const event = await stream.next((e) => e.event === 'token.revoked' && JSON.parse(e.data).jti === jti, 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(Number(event.id)).toBeGreaterThan(Number(snapshot.id));
    expect(JSON.parse(event.data)).toEqual({ id: expect.any(String), type: 'token.revoked', tenant: 'alpha', occurredAt: expect.any(String), jti, exp: decodeJwt(token).exp });
    // Other kinds follow too; events that revoke nothing (api-key.created) do not.
    await admin(system).createApiKey('alpha');
    await http(system, 'POST', '/v1/users/live-user/revoke', { basic: alphaKey, body: {} });
    await stream.next((e) => e.event === 'tokens.revoked-before' && JSON.parse(e.data).userId === 'live-user');
    expect(stream.events.map((e) => e.event)).not.toContain('api-key.created');
    // An idle stream says it is alive (the heartbeat is 1 s in this suite).
    await eventually(async () => stream.comments.includes('keep-alive'), 5000);
  });

  it('resumes after Last-Event-ID (header or query) with what happened while away, exactly once and without a snapshot', async () => {
    const first = await revocations('alpha', { authorization: basic(alphaKey) });
    await first.next((event) => event.event === 'snapshot');
    const before = await revokeToken(alphaKey, await mint(alphaKey, 'resume-user'));
    const seen = await first.next((e) => e.event === 'token.revoked' && JSON.parse(e.data).jti === before);
    first.close();

    const away = [await revokeToken(alphaKey, await mint(alphaKey, 'resume-user')), await revokeToken(alphaKey, await mint(alphaKey, 'resume-user'))];
    for (const [headers, query] of [
      [{ authorization: basic(alphaKey), 'last-event-id': seen.id! }, ''],
      [{ authorization: basic(alphaKey) }, `?lastEventId=${seen.id}`],
    ] as const) {
      const resumed = await revocations('alpha', headers, query);
      expect(resumed.status).toBe(200);
      for (const jti of away) await resumed.next((e) => e.event === 'token.revoked' && JSON.parse(e.data).jti === jti);
      // A marker revoked now arrives after them: nothing else came before or twice.
      const marker = await revokeToken(alphaKey, await mint(alphaKey, 'resume-user'));
      await resumed.next((e) => e.event === 'token.revoked' && JSON.parse(e.data).jti === marker);
      const jtis = resumed.events.map((e) => JSON.parse(e.data).jti);
      expect(resumed.events.map((e) => e.event)).not.toContain('snapshot');
      expect(jtis.slice(0, away.length)).toEqual(away);
      expect(jtis.filter((jti) => jti === marker)).toHaveLength(1);
      expect(jtis).not.toContain(before);
      const ids = resumed.events.map((e) => Number(e.id));
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      expect(new Set(ids).size).toBe(ids.length);
      away.push(marker);
      resumed.close();
    }
    // An id the stream never held (from another deployment, say) gets the snapshot again.
    const fresh = await revocations('alpha', { authorization: basic(alphaKey), 'last-event-id': '9999999' });
    await fresh.next((event) => event.event === 'snapshot');
  });

  it('refuses wrong credentials and other tenants before the stream starts, in the contract shape', async () => {
    const missing = await revocations('alpha', {});
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ error: 'unauthorized', message: expect.any(String) });
    const wrong = await revocations('alpha', { authorization: basic({ apiKey: alphaKey.apiKey, secret: 'not-the-secret' }) });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('unauthorized');
    const otherTenant = await revocations('alpha', { authorization: basic(betaKey) });
    expect(otherTenant.status).toBe(401);
    expect(otherTenant.body.error).toBe('unauthorized');
    const unknown = await revocations('nosuch', { authorization: basic(alphaKey) });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('not_found');
    const badId = await revocations('alpha', { authorization: basic(alphaKey), 'last-event-id': 'yesterday' });
    expect(badId.status).toBe(400);
    expect(badId.body).toMatchObject({ error: 'invalid_request', message: expect.stringContaining('lastEventId') });
  });

  it('limits the streams open at once per API key (429) and removes the consumer when the client goes away', async () => {
    const streams = system.gateway.get(EventStreams);
    await eventually(async () => streams.size === 0, 5000);
    const baseline = await consumersOnEvents();
    const held: SseConnection[] = [];
    for (let i = 0; i < STREAMS_PER_KEY; i++) {
      const stream = await revocations('alpha', { authorization: basic(alphaKey) });
      await stream.next((event) => event.event === 'snapshot');
      held.push(stream);
    }
    const over = await revocations('alpha', { authorization: basic(alphaKey) });
    expect(over.status).toBe(429);
    expect(over.body.error).toBe('rate_limited');
    expect(over.headers.get('retry-after')).toBeTruthy();
    // Another key of the same tenant is not affected.
    const otherKey = await admin(system).createApiKey('alpha');
    const other = await revocations('alpha', { authorization: basic(otherKey) });
    expect(other.status).toBe(200);
    expect(await consumersOnEvents()).toBe(baseline + STREAMS_PER_KEY + 1);

    for (const stream of [...held, other]) stream.close();
    await eventually(async () => streams.size === 0 && (await consumersOnEvents()) === baseline, 10_000, 100);
    const again = await revocations('alpha', { authorization: basic(alphaKey) });
    expect(again.status).toBe(200);
  });

  it('ends the stream of an API key once that key is revoked (after sending its api-key.revoked)', async () => {
    const doomed = await admin(system).createApiKey('alpha');
    const stream = await revocations('alpha', { authorization: basic(doomed) });
    await stream.next((event) => event.event === 'snapshot');
    expect((await admin(system).call('DELETE', `/admin/tenants/alpha/api-keys/${doomed.apiKey}`)).status).toBe(204);
    await stream.next((e) => e.event === 'api-key.revoked' && JSON.parse(e.data).apiKey === doomed.apiKey);
    await stream.closed;
    expect((await revocations('alpha', { authorization: basic(doomed) })).status).toBe(401);
  });

  it('when the tenant is deleted, sends every signing key revoked before the stream ends', async () => {
    await admin(system).createTenant('doomed-tenant');
    const key = await admin(system).createApiKey('doomed-tenant');
    const stream = await revocations('doomed-tenant', { authorization: basic(key) });
    await stream.next((event) => event.event === 'snapshot');
    const kids = (await admin(system).call('GET', '/admin/tenants/doomed-tenant/signing-keys')).body.items.map((k: { kid: string }) => k.kid);
    expect((await admin(system).call('DELETE', '/admin/tenants/doomed-tenant')).status).toBe(204);
    await stream.closed;
    const revokedKids = stream.events.filter((e) => e.event === 'signing-key.revoked').map((e) => JSON.parse(e.data).kid);
    expect(revokedKids.sort()).toEqual([...kids].sort());
    expect(stream.events.some((e) => e.event === 'api-key.revoked' && JSON.parse(e.data).apiKey === key.apiKey)).toBe(true);
  });

  describe('the admin event feed', () => {
    const feed = async (tenant: string, bearer: string, headers: Record<string, string> = {}) => {
      const connection = await openSse(`${system.baseUrl}/admin/tenants/${tenant}/events`, { authorization: `Bearer ${bearer}`, ...headers });
      open.push(connection);
      return connection;
    };

    it('streams every event type of the tenant live, with Last-Event-ID resume; JSON stays for other Accept values', async () => {
      const stream = await feed('alpha', system.adminToken);
      expect(stream.status).toBe(200);
      expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const created = await admin(system).createApiKey('alpha');
      await admin(system).call('PATCH', '/admin/tenants/alpha', { name: 'Alpha renamed' });
      const jti = await revokeToken(alphaKey, await mint(alphaKey, 'feed-user'));
      // (a key of its own: auth.failed is published at most once a second per key)
      await http(system, 'POST', '/v1/tokens/verify', { basic: { apiKey: created.apiKey, secret: 'wrong' }, body: { token: 'x' } });
      await stream.next((e) => e.event === 'api-key.created' && JSON.parse(e.data).apiKey === created.apiKey);
      const updated = await stream.next((e) => e.event === 'tenant.updated');
      expect(JSON.parse(updated.data).actor).toBe('bootstrap');
      await stream.next((e) => e.event === 'token.revoked' && JSON.parse(e.data).jti === jti);
      await stream.next((e) => e.event === 'auth.failed' && JSON.parse(e.data).actor === created.apiKey);
      expect(stream.events.map((e) => e.event)).not.toContain('snapshot');
      // beta's events never reach alpha's feed.
      await admin(system).createApiKey('beta');
      const last = stream.events[stream.events.length - 1];
      stream.close();

      const later = await admin(system).createApiKey('alpha');
      const resumed = await feed('alpha', system.adminToken, { 'last-event-id': last.id! });
      await resumed.next((e) => e.event === 'api-key.created' && JSON.parse(e.data).apiKey === later.apiKey);
      expect(resumed.events.every((e) => Number(e.id) > Number(last.id))).toBe(true);
      expect(stream.events.every((e) => JSON.parse(e.data).tenant === 'alpha')).toBe(true);

      const list = await admin(system).call('GET', '/admin/tenants/alpha/events?limit=2');
      expect(list.status).toBe(200);
      expect(list.headers.get('content-type')).toMatch(/^application\/json/);
      expect(list.body.items).toHaveLength(2);
    });

    it('ends the feed of an admin key once that key is revoked', async () => {
      const created = (await admin(system).call('POST', '/admin/admin-keys', { scopes: ['events:read'] })).body as { id: string; secret: string };
      const stream = await feed('alpha', created.secret);
      expect(stream.status).toBe(200);
      expect((await admin(system).call('DELETE', `/admin/admin-keys/${created.id}`)).status).toBe(204);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([stream.closed, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('the feed did not end')), 10_000)))]);
      clearTimeout(timer);
      expect((await feed('alpha', created.secret)).status).toBe(401);
    });

    it('enforces the events:read scope and the key’s tenant', async () => {
      const key = async (body: Record<string, unknown>) => (await admin(system).call('POST', '/admin/admin-keys', body)).body.secret as string;
      const reader = await key({ scopes: ['events:read'] });
      const alphaOnly = await key({ scopes: ['events:read'], tenant: 'alpha' });
      const noScope = await key({ scopes: ['tenants:read'] });
      expect((await feed('alpha', reader)).status).toBe(200);
      expect((await feed('alpha', alphaOnly)).status).toBe(200);
      const wrongTenant = await feed('beta', alphaOnly);
      expect(wrongTenant.status).toBe(404);
      expect(wrongTenant.body.error).toBe('not_found');
      const forbidden = await feed('alpha', noScope);
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.error).toBe('forbidden');
      const unauthenticated = await feed('alpha', 'rk_admin_nope');
      expect(unauthenticated.status).toBe(401);
      expect((await feed('nosuch', system.adminToken)).status).toBe(404);
    });
  });

  // Last: it stops the gateway.
  it('ends open streams when the gateway stops, so that stopping never waits for clients', async () => {
    const stream = await revocations('alpha', { authorization: basic(alphaKey) });
    await stream.next((event) => event.event === 'snapshot');
    const feedStream = await openSse(`${system.baseUrl}/admin/tenants/alpha/events`, { authorization: `Bearer ${system.adminToken}` });
    open.push(feedStream);
    const started = Date.now();
    await system.gateway.close();
    await Promise.all([stream.closed, feedStream.closed]);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
