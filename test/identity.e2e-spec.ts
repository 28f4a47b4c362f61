/**
 * Guests, anonymous viewers and invites end to end: the real keys, issuer, two identity replicas
 * and the gateway on a private NATS (JetStream KV for invites and rate limits) and a real database,
 * called over HTTP and by a plain NATS client; tokens are checked against the tenant's JWKS.
 */
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { InviteService } from '../apps/identity/invites/invite.service';
import { admin, http, startSystem, testDatabases, type RoomkeySystem } from './support/harness';
import { NO_REQUEST } from '@roomkey/nats';

type Credentials = { apiKey: string; secret: string };
const GUEST_PERMS = ['live:read', 'layout:read', 'webrtc:join'];
const VIEWER_PERMS = ['live:read', 'layout:read'];

describe.each(testDatabases())('Guests, anonymous viewers and invites (%s)', (database) => {
  let system: RoomkeySystem;
  let nats: NatsConnection;
  let production: Credentials; // tenant acme: guest and anonymous access off
  let development: Credentials;
  let open: Credentials; // tenant open: both switches on
  let guestOnly: Credentials; // tenant lobby: guest access on, anonymous access off
  const events: Array<{ subject: string; data: string }> = [];
  let eventSubscription: Subscription;

  beforeAll(async () => {
    system = await startSystem({ database, identities: 2 });
    await admin(system).createTenant('acme');
    await admin(system).createTenant('open', { guestAccess: true, anonymousAccess: true });
    await admin(system).createTenant('lobby', { guestAccess: true });
    production = await admin(system).createApiKey('acme', 'production');
    development = await admin(system).createApiKey('acme', 'development');
    open = await admin(system).createApiKey('open');
    guestOnly = await admin(system).createApiKey('lobby');
    nats = await connect({ servers: system.natsUrl });
    eventSubscription = nats.subscribe('roomkey.v1.events.>', {
      callback: (_error, message) => {
        events.push({ subject: message.subject, data: message.string() });
      },
    });
    await nats.flush();
  });

  afterAll(async () => {
    eventSubscription?.unsubscribe();
    await nats?.close();
    await system?.stop();
  });

  const certs = (tenant: string) => createRemoteJWKSet(new URL(`${system.baseUrl}/realms/${tenant}/protocol/openid-connect/certs`));
  const verify = async (token: string, tenant = 'acme'): Promise<JWTPayload> =>
    (await jwtVerify(token, certs(tenant), { issuer: `${system.baseUrl}/realms/${tenant}`, audience: 'roomkey', typ: 'at+jwt' })).payload;
  const guest = (body: unknown, credentials: Credentials = production) => http(system, 'POST', '/v1/guests', { body, basic: credentials });
  const anonymous = (body: unknown, credentials: Credentials = production) => http(system, 'POST', '/v1/anonymous-tokens', { body, basic: credentials });
  const keyOnly = (path: string, apiKey: string, body?: unknown) => http(system, 'POST', path, { body, headers: { 'x-api-key': apiKey } });
  const natsRequest = async (subject: string, body: unknown) => (await nats.request(subject, JSON.stringify(body), { timeout: 5000 })).json<any>();
  const hostToken = async (body: Record<string, unknown> = {}): Promise<string> => {
    const answer = await http(system, 'POST', '/v1/access-tokens', { body: { userId: 'host-alice', role: 'HOST', ...body }, basic: production });
    expect(answer.status).toBe(201);
    return answer.body.accessToken;
  };
  const createInvite = (token: string, body: unknown) => http(system, 'POST', '/v1/invites', { body, bearer: token });
  const redeem = (code: string, body?: unknown) => http(system, 'POST', `/v1/invites/${encodeURIComponent(code)}/redeem`, { body });

  describe('guests', () => {
    it('mints a guest token over HTTP with a unique id that verifies against the JWKS with the right claims', async () => {
      const answer = await guest({ userId: 'alice', name: 'Alice', rooms: ['stage'] });
      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({
        user: { id: expect.stringMatching(/^alice-[a-z0-9]{8}$/), name: 'Alice', image: null, kind: 'guest' },
        accessToken: expect.any(String),
        expiresIn: 3600,
      });
      const payload = await verify(answer.body.accessToken);
      expect(payload).toMatchObject({
        sub: answer.body.user.id,
        tid: 'acme',
        client_id: production.apiKey,
        kind: 'guest',
        role: 'GUEST',
        perms: GUEST_PERMS,
        env: 'production',
        rooms: ['stage'],
        name: 'Alice',
      });
      expect(payload.exp! - payload.iat!).toBe(3600);

      const again = await guest({ userId: 'alice' });
      expect(again.body.user.id).toMatch(/^alice-/);
      expect(again.body.user.id).not.toBe(answer.body.user.id);
      const generated = await guest(undefined);
      expect(generated.status).toBe(201);
      expect(generated.body.user).toEqual({ id: expect.stringMatching(/^guest-/), name: null, image: null, kind: 'guest' });
      expect((await verify(generated.body.accessToken)).rooms).toBeUndefined();
    });

    it('answers a plain NATS client on roomkey.v1.guests.create, errors included', async () => {
      const reply = await natsRequest('roomkey.v1.guests.create', { ...production, userId: 'bob', ttlSeconds: 600 });
      expect(reply).toMatchObject({ ok: true, user: { id: expect.stringMatching(/^bob-/), kind: 'guest' }, expiresIn: 600 });
      expect(await verify(reply.accessToken)).toMatchObject({ sub: reply.user.id, role: 'GUEST', kind: 'guest' });

      expect(await natsRequest('roomkey.v1.guests.create', { ...production, secret: 'wrong' })).toEqual({
        ok: false,
        error: 'unauthorized',
        message: 'Invalid API key or secret',
      });
      const garbage = (await nats.request('roomkey.v1.guests.create', 'not json', { timeout: 5000 })).json<any>();
      expect(garbage).toMatchObject({ ok: false, error: 'invalid_request' });
    });

    it('applies a development key’s limits to guests', async () => {
      expect((await guest({ userId: 'dev' }, development)).status).toBe(400);
      expect((await guest({ rooms: ['a'], ttlSeconds: 3601 }, development)).body.message).toContain('ttlSeconds');
      const ok = await guest({ userId: 'dev', rooms: ['a'] }, development);
      expect(ok.status).toBe(201);
      expect(await verify(ok.body.accessToken)).toMatchObject({ env: 'development', rooms: ['a'], perms: GUEST_PERMS, client_id: development.apiKey });
    });
  });

  describe('anonymous viewers', () => {
    it('mints "!anon" VIEWER tokens, over HTTP and NATS, each with its own anon_id', async () => {
      const answer = await anonymous({ rooms: ['stage', 'lobby'] });
      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({ accessToken: expect.any(String), expiresIn: 3600 });
      const payload = await verify(answer.body.accessToken);
      expect(payload).toMatchObject({
        sub: '!anon',
        tid: 'acme',
        client_id: production.apiKey,
        kind: 'anonymous',
        role: 'VIEWER',
        perms: VIEWER_PERMS,
        env: 'production',
        rooms: ['stage', 'lobby'],
        anon_id: expect.any(String),
      });
      expect(payload.exp! - payload.iat!).toBe(3600);

      const reply = await natsRequest('roomkey.v1.anonymous.create', { ...production, rooms: ['stage'] });
      expect(reply).toMatchObject({ ok: true, expiresIn: 3600 });
      const other = await verify(reply.accessToken);
      expect(other.anon_id).toEqual(expect.any(String));
      expect(other.anon_id).not.toBe(payload.anon_id);

      const verified = await http(system, 'POST', '/v1/tokens/verify', { body: { token: answer.body.accessToken }, basic: production });
      expect(verified.status).toBe(200);
      expect(verified.body.claims).toMatchObject({ sub: '!anon', kind: 'anonymous' });
    });

    it('applies a development key’s limits to anonymous tokens', async () => {
      const eleven = Array.from({ length: 11 }, (_, i) => `r${i}`);
      expect((await anonymous({ rooms: eleven }, development)).status).toBe(400);
      const ok = await anonymous({ rooms: ['a'] }, development);
      expect(ok.status).toBe(201);
      expect(await verify(ok.body.accessToken)).toMatchObject({ env: 'development', perms: VIEWER_PERMS });
    });
  });

  describe('the API key alone (X-Api-Key)', () => {
    it('mints guest and anonymous tokens when the tenant switches that access on', async () => {
      const guestAnswer = await keyOnly('/v1/guests', open.apiKey, { userId: 'walk-in' });
      expect(guestAnswer.status).toBe(201);
      expect(await verify(guestAnswer.body.accessToken, 'open')).toMatchObject({ tid: 'open', kind: 'guest', client_id: open.apiKey });
      const anonymousAnswer = await keyOnly('/v1/anonymous-tokens', open.apiKey, { rooms: ['stage'] });
      expect(anonymousAnswer.status).toBe(201);
      expect(await verify(anonymousAnswer.body.accessToken, 'open')).toMatchObject({ tid: 'open', sub: '!anon' });
      const reply = await natsRequest('roomkey.v1.guests.create', { apiKey: open.apiKey });
      expect(reply).toMatchObject({ ok: true, user: { kind: 'guest' } });
    });

    it('answers 403 naming the switch when the tenant keeps that access off', async () => {
      const guestOff = await keyOnly('/v1/guests', production.apiKey, { userId: 'x' });
      expect(guestOff.status).toBe(403);
      expect(guestOff.body).toEqual({ error: 'forbidden', message: expect.stringContaining("Guest access is off for tenant 'acme'") });
      const anonymousOff = await keyOnly('/v1/anonymous-tokens', guestOnly.apiKey, { rooms: ['stage'] });
      expect(anonymousOff.status).toBe(403);
      expect(anonymousOff.body.message).toContain("Anonymous access is off for tenant 'lobby'");
      expect((await keyOnly('/v1/guests', guestOnly.apiKey)).status).toBe(201);
      // With the secret, the switches do not matter.
      expect((await anonymous({ rooms: ['stage'] }, guestOnly)).status).toBe(201);
    });

    it('answers 401 for an unknown key, a revoked key and no credentials', async () => {
      const unknown = await keyOnly('/v1/guests', 'rk_prod_doesnotexist');
      expect(unknown.status).toBe(401);
      expect(unknown.body.error).toBe('unauthorized');
      expect((await keyOnly('/v1/anonymous-tokens', 'rk_prod_doesnotexist', { rooms: ['a'] })).status).toBe(401);
      const none = await http(system, 'POST', '/v1/guests', { body: {} });
      expect(none.status).toBe(401);
      expect(none.body.message).toContain('X-Api-Key');

      const doomed = await admin(system).createApiKey('open');
      expect((await keyOnly('/v1/guests', doomed.apiKey)).status).toBe(201);
      expect((await admin(system).call('DELETE', `/admin/tenants/open/api-keys/${doomed.apiKey}`)).status).toBe(204);
      await eventuallyStatus(() => keyOnly('/v1/guests', doomed.apiKey), 401);
    });
  });

  describe('bad input', () => {
    it.each([
      ['/v1/guests', { name: 'n'.repeat(256) }, 'name'],
      ['/v1/guests', { name: 'tab\tname' }, 'name'],
      ['/v1/guests', { image: 'i'.repeat(256) }, 'image'],
      ['/v1/guests', { userId: 'u'.repeat(256) }, 'userId'],
      ['/v1/guests', { userId: 'ctrl\u0001' }, 'userId'],
      ['/v1/guests', { userId: '!anon' }, 'userId'],
      ['/v1/guests', { rooms: Array.from({ length: 101 }, (_, i) => `r${i}`) }, 'rooms'],
      ['/v1/guests', { role: 'HOST' }, 'role'],
      ['/v1/guests', [1, 2], 'JSON object'],
      ['/v1/anonymous-tokens', {}, 'rooms'],
      ['/v1/anonymous-tokens', { rooms: [] }, 'rooms'],
      ['/v1/anonymous-tokens', { rooms: Array.from({ length: 101 }, (_, i) => `r${i}`) }, 'rooms'],
      ['/v1/anonymous-tokens', { rooms: ['bad room'] }, 'rooms'],
      ['/v1/anonymous-tokens', { rooms: ['a'], ttlSeconds: 0 }, 'ttlSeconds'],
    ])('%s %j → 400 naming %s', async (path, body, field) => {
      const answer = await http(system, 'POST', path, { body, basic: production });
      expect({ status: answer.status, error: answer.body.error }).toEqual({ status: 400, error: 'invalid_request' });
      expect(answer.body.message).toContain(field);
    });
  });

  describe('invites', () => {
    it('creates an invite from a HOST token and redeems it for guest tokens naming the inviter', async () => {
      const host = await hostToken({ rooms: ['stage', 'green-room'] });
      const created = await createInvite(host, { role: 'GUEST', ttlSeconds: 1800, maxUses: 2 });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ inviteCode: expect.stringMatching(/^rk_inv_[A-Za-z0-9_-]{32}$/), expiresAt: expect.any(String) });
      const expiresAt = Date.parse(created.body.expiresAt);
      expect(new Date(expiresAt).toISOString()).toBe(created.body.expiresAt);
      expect(Math.abs(expiresAt - (Date.now() + 1800_000))).toBeLessThan(60_000);

      const first = await redeem(created.body.inviteCode, { name: 'Partner' });
      expect(first.status).toBe(201);
      expect(first.body).toEqual({
        user: { id: expect.stringMatching(/^guest-/), name: 'Partner', image: null, kind: 'guest' },
        accessToken: expect.any(String),
        expiresIn: expect.any(Number),
      });
      // A redeemed token lasts 3600 s at most and never outlives its invite.
      expect(first.body.expiresIn).toBeGreaterThan(1700);
      expect(first.body.expiresIn).toBeLessThanOrEqual(1800);
      const payload = await verify(first.body.accessToken);
      expect(payload).toMatchObject({
        sub: first.body.user.id,
        client_id: production.apiKey,
        kind: 'guest',
        role: 'GUEST',
        perms: GUEST_PERMS,
        env: 'production',
        rooms: ['stage', 'green-room'],
        name: 'Partner',
        act: { sub: 'host-alice' },
      });
      expect(payload.exp!).toBeLessThanOrEqual(Math.ceil(expiresAt / 1000));

      expect((await redeem(created.body.inviteCode)).status).toBe(201);
      const usedUp = await redeem(created.body.inviteCode);
      expect(usedUp.status).toBe(410);
      expect(usedUp.body).toEqual({ error: 'gone', message: 'This invite has been used up' });
    });

    it('keeps the invite within the caller’s role, rooms and lifetime', async () => {
      const host = await hostToken({ rooms: ['stage'] });
      const tooHigh = await createInvite(host, { role: 'CONTRIBUTOR', ttlSeconds: 60 });
      expect(tooHigh.status).toBe(400);
      expect(tooHigh.body.message).toContain("Field 'role'");
      const outside = await createInvite(host, { role: 'GUEST', rooms: ['stage', 'backstage'], ttlSeconds: 60 });
      expect(outside.status).toBe(403);
      expect(outside.body).toEqual({ error: 'forbidden', message: expect.stringContaining('backstage') });
      const outlives = await createInvite(host, { role: 'GUEST', ttlSeconds: 3700 });
      expect(outlives.status).toBe(400);
      expect(outlives.body.message).toContain('ttlSeconds');
      // Without ttlSeconds the invite lives until the host's token expires (the 86400 s default is capped).
      const defaultLifetime = await createInvite(host, { role: 'GUEST' });
      expect(defaultLifetime.status).toBe(201);
      expect(Date.parse(defaultLifetime.body.expiresAt)).toBeLessThanOrEqual(Date.now() + 3600_000);
      expect(Date.parse(defaultLifetime.body.expiresAt)).toBeGreaterThan(Date.now() + 3500_000);
      const allRooms = await hostToken();
      const viewerInvite = await createInvite(allRooms, { role: 'VIEWER', ttlSeconds: 3000 });
      expect(viewerInvite.status).toBe(201);
      const viewer = await redeem(viewerInvite.body.inviteCode);
      expect(await verify(viewer.body.accessToken)).toMatchObject({ role: 'VIEWER', perms: VIEWER_PERMS, act: { sub: 'host-alice' } });
      expect((await verify(viewer.body.accessToken)).rooms).toBeUndefined();
    });

    it('answers 401 without a valid Bearer token and 403 without guests:invite', async () => {
      const none = await http(system, 'POST', '/v1/invites', { body: { role: 'GUEST' } });
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toContain('Bearer');
      const garbage = await createInvite('not-a-token', { role: 'GUEST' });
      expect(garbage.status).toBe(401);
      expect(garbage.body).toEqual({ error: 'invalid_token', message: 'Token is invalid or expired' });
      const guestAnswer = await guest({ userId: 'g' });
      const forbidden = await createInvite(guestAnswer.body.accessToken, { role: 'GUEST', ttlSeconds: 60 });
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.message).toContain('guests:invite');
    });

    it('answers 404 for a code that never existed and 410 once expired; a failed redemption uses nothing up', async () => {
      for (const code of ['rk_inv_' + 'x'.repeat(32), 'nothing-like-a-code']) {
        const unknown = await redeem(code);
        expect(unknown.status).toBe(404);
        expect(unknown.body).toEqual({ error: 'not_found', message: 'Invite not found' });
      }

      const host = await hostToken();
      const once = await createInvite(host, { role: 'GUEST', ttlSeconds: 600 });
      for (const body of [{ name: 'n'.repeat(256) }, { name: 'ring\u0007' }, { name: 'x', extra: true }]) {
        const refused = await redeem(once.body.inviteCode, body);
        expect(refused.status).toBe(400);
        expect(refused.body.error).toBe('invalid_request');
      }
      expect((await redeem(once.body.inviteCode)).status).toBe(201);
      expect((await redeem(once.body.inviteCode)).status).toBe(410);

      const brief = await createInvite(host, { role: 'GUEST', ttlSeconds: 1, maxUses: 10 });
      expect(brief.status).toBe(201);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(brief.body.expiresAt) - Date.now()) + 50));
      const expired = await redeem(brief.body.inviteCode);
      expect(expired.status).toBe(410);
      expect(expired.body).toEqual({ error: 'gone', message: 'This invite has expired' });
    });

    it('counts maxUses exactly across two identity replicas: 20 concurrent redemptions of a 5-use invite give 5 tokens', async () => {
      expect(system.identities).toHaveLength(2);
      const host = await hostToken({ rooms: ['stage'] });
      const replicas = system.identities.map((app) => app.get(InviteService));
      expect(replicas[0]).not.toBe(replicas[1]);

      const direct = await createInvite(host, { role: 'GUEST', ttlSeconds: 600, maxUses: 5 });
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => replicas[i % 2].redeem({ code: direct.body.inviteCode, body: { name: `racer ${i}` } }, NO_REQUEST)),
      );
      const tokens = results.filter((r): r is PromiseFulfilledResult<any> => r.status === 'fulfilled').map((r) => r.value.accessToken as string);
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(tokens.length).toBe(5);
      expect(refused.map((r) => r.reason.code)).toEqual(Array(15).fill('gone'));
      const subjects = new Set<string>();
      for (const token of tokens) {
        const payload = await verify(token);
        expect(payload).toMatchObject({ kind: 'guest', rooms: ['stage'], act: { sub: 'host-alice' } });
        subjects.add(payload.sub!);
      }
      expect(subjects.size).toBe(5);

      // The same over HTTP, where the queue group spreads the requests over both replicas.
      const overHttp = await createInvite(host, { role: 'GUEST', ttlSeconds: 600, maxUses: 5 });
      const answers = await Promise.all(Array.from({ length: 20 }, () => redeem(overHttp.body.inviteCode)));
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([...Array(5).fill(201), ...Array(15).fill(410)]);
    });

    it('publishes guest.created, invite.created and invite.redeemed without tokens or codes', async () => {
      const before = events.length;
      const guestAnswer = await guest({ userId: 'evented' });
      const host = await hostToken();
      const invite = await createInvite(host, { role: 'GUEST', ttlSeconds: 600 });
      const redeemed = await redeem(invite.body.inviteCode);
      expect(redeemed.status).toBe(201);

      const types = ['guest.created', 'invite.created', 'invite.redeemed'];
      await eventually(() => types.every((type) => events.slice(before).some((e) => e.subject === `roomkey.v1.events.acme.${type}`)));
      const ours = events.slice(before).filter((e) => types.some((type) => e.subject.endsWith(type))).map((e) => JSON.parse(e.data));
      const byType = (type: string) => ours.filter((e) => e.type === type);
      expect(byType('guest.created')).toContainEqual(
        expect.objectContaining({ tenant: 'acme', apiKey: production.apiKey, jti: decodeJwt(guestAnswer.body.accessToken).jti }),
      );
      const created = byType('invite.created').find((e) => e.jti === decodeJwt(host).jti);
      expect(created).toEqual(expect.objectContaining({ inviteId: expect.any(String) }));
      expect(byType('invite.redeemed')).toContainEqual(
        expect.objectContaining({ inviteId: created.inviteId, jti: decodeJwt(redeemed.body.accessToken).jti }),
      );
      const serialized = JSON.stringify(events);
      expect(serialized).not.toContain(invite.body.inviteCode);
      expect(serialized).not.toContain(redeemed.body.accessToken);
      expect(serialized).not.toContain(guestAnswer.body.accessToken);
      expect(serialized).not.toContain(host);
    });
  });
});

describe.each(testDatabases())('Rate limits of requests with the API key alone (%s)', (database) => {
  const PER_ADDRESS = 4;
  const PER_TENANT = 6;
  let system: RoomkeySystem;
  let nats: NatsConnection;

  beforeAll(async () => {
    system = await startSystem({ database, identities: 2, identity: { guestRateLimitPerAddress: PER_ADDRESS, guestRateLimitPerTenant: PER_TENANT } });
    await admin(system).createTenant('street', { guestAccess: true, anonymousAccess: true });
    await admin(system).createTenant('crowd', { guestAccess: true, anonymousAccess: true });
    nats = await connect({ servers: system.natsUrl });
  });

  afterAll(async () => {
    await nats?.close();
    await system?.stop();
  });

  it('limits one address across both replicas with 429 and Retry-After; failed requests and requests with the secret count nothing', async () => {
    const key = await admin(system).createApiKey('street');
    const headers = { 'x-api-key': key.apiKey };
    for (let i = 0; i < 5; i++) {
      const bad = await http(system, 'POST', '/v1/anonymous-tokens', { body: { rooms: [] }, headers });
      expect(bad.status).toBe(400);
    }
    for (let i = 0; i < PER_ADDRESS; i++) {
      const path = i % 2 ? '/v1/guests' : '/v1/anonymous-tokens';
      const ok = await http(system, 'POST', path, { body: { rooms: ['stage'] }, headers });
      expect(ok.status).toBe(201);
    }
    const limited = await http(system, 'POST', '/v1/guests', { body: { clientAddress: '198.51.100.9' }, headers });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: 'rate_limited', message: expect.stringContaining('from this address') });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);

    const withSecret = await http(system, 'POST', '/v1/guests', { body: {}, basic: key });
    expect(withSecret.status).toBe(201);
  });

  it('limits one tenant across addresses (a NATS caller names the address)', async () => {
    const key = await admin(system).createApiKey('crowd');
    const ask = (i: number) => nats.request('roomkey.v1.guests.create', JSON.stringify({ apiKey: key.apiKey, clientAddress: `203.0.113.${i}` }), { timeout: 5000 });
    for (let i = 0; i < PER_TENANT; i++) expect((await ask(i)).json()).toMatchObject({ ok: true });
    const refused = (await ask(99)).json<any>();
    expect(refused).toMatchObject({ ok: false, error: 'rate_limited', message: expect.stringContaining('for this tenant') });
    expect(refused.retryAfter).toBeGreaterThanOrEqual(1);
    const anonymousRefused = await nats.request('roomkey.v1.anonymous.create', JSON.stringify({ apiKey: key.apiKey, clientAddress: '203.0.113.100', rooms: ['a'] }), { timeout: 5000 });
    expect(anonymousRefused.json()).toMatchObject({ ok: false, error: 'rate_limited' });
  });
});

async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function eventuallyStatus(call: () => Promise<{ status: number }>, status: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await call();
    if (answer.status === status) return;
    if (Date.now() > deadline) throw new Error(`still ${answer.status}, not ${status}, after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
