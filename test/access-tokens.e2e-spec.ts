/**
 * CreateAccessToken and verification end to end: the real services on a private NATS and a real
 * database (SQLite and PostgreSQL), called over HTTP and by a plain NATS client.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { SignJWT, base64url, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { AccessTokenHandlers } from '../apps/issuer/access-tokens/access-token.handlers';
import { TokenVerifier } from '../apps/issuer/verification/token-verifier.service';
import { admin, http, startSystem, testDatabases, type RoomkeySystem } from './support/harness';
import { NO_REQUEST } from '@roomkey/nats';

describe.each(testDatabases())('CreateAccessToken and verification (%s)', (database) => {
  let system: RoomkeySystem;
  let production: { apiKey: string; secret: string };
  let development: { apiKey: string; secret: string };
  let nats: NatsConnection;

  beforeAll(async () => {
    system = await startSystem({ database, issuers: 2 });
    await admin(system).createTenant('acme');
    await admin(system).createTenant('globex');
    production = await admin(system).createApiKey('acme', 'production');
    development = await admin(system).createApiKey('acme', 'development');
    nats = await connect({ servers: system.natsUrl });
  });

  afterAll(async () => {
    await nats?.close();
    await system?.stop();
  });

  const certs = (tenant: string) => createRemoteJWKSet(new URL(`${system.baseUrl}/realms/${tenant}/protocol/openid-connect/certs`));
  const mint = (body: unknown, credentials = production) => http(system, 'POST', '/v1/access-tokens', { body, basic: credentials });

  it('mints a token over HTTP that a plain jose.jwtVerify accepts against the tenant JWKS', async () => {
    const answer = await mint({ userId: 'alice', role: 'HOST', rooms: ['town-hall'], name: 'Alice' });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600, role: 'HOST' });
    expect(answer.body.permissions).toContain('broadcast:manage');
    expect(new Date(answer.body.expiresAt).toISOString()).toBe(answer.body.expiresAt);

    const { payload, protectedHeader } = await jwtVerify(answer.body.accessToken, certs('acme'), {
      issuer: `${system.baseUrl}/realms/acme`,
      audience: 'roomkey',
      algorithms: ['ES256'],
      typ: 'at+jwt',
    });
    expect(protectedHeader.kid).toEqual(expect.any(String));
    expect(payload).toMatchObject({
      sub: 'alice',
      tid: 'acme',
      client_id: production.apiKey,
      role: 'HOST',
      env: 'production',
      kind: 'user',
      rooms: ['town-hall'],
      name: 'Alice',
    });
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(payload.jti).toEqual(expect.any(String));
  });

  it('mints a token for a plain NATS client (no NestJS envelope) that verifies the same way', async () => {
    const reply = await nats.request(
      'roomkey.v1.tokens.create',
      JSON.stringify({ apiKey: production.apiKey, secret: production.secret, userId: 'bob', role: 'VIEWER', ttlSeconds: 600 }),
      { timeout: 5000 },
    );
    const body = reply.json<any>();
    expect(body.ok).toBe(true);
    expect(body.expiresIn).toBe(600);
    const { payload } = await jwtVerify(body.accessToken, certs('acme'), { issuer: `${system.baseUrl}/realms/acme` });
    expect(payload).toMatchObject({ sub: 'bob', role: 'VIEWER', perms: ['live:read', 'layout:read'] });
    expect(payload.rooms).toBeUndefined();
  });

  it('answers plain JSON errors on NATS, including for a body that is not JSON', async () => {
    const bad = await nats.request('roomkey.v1.tokens.create', JSON.stringify({ apiKey: production.apiKey, secret: 'wrong', userId: 'x', role: 'HOST' }), { timeout: 5000 });
    expect(bad.json()).toEqual({ ok: false, error: 'unauthorized', message: 'Invalid API key or secret' });
    const garbage = await nats.request('roomkey.v1.tokens.create', 'not json', { timeout: 5000 });
    expect(garbage.json()).toMatchObject({ ok: false, error: 'invalid_request' });
  });

  it('verifies its own tokens over HTTP and over NATS, and rejects another tenant’s', async () => {
    const token = (await mint({ userId: 'carol', role: 'GUEST' })).body.accessToken;
    const verified = await http(system, 'POST', '/v1/tokens/verify', { body: { token }, basic: production });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ active: true, claims: { sub: 'carol', role: 'GUEST' } });

    const overNats = await nats.request('roomkey.v1.tokens.verify', JSON.stringify({ ...production, token }), { timeout: 5000 });
    expect(overNats.json()).toMatchObject({ ok: true, active: true, claims: { sub: 'carol' } });

    const globexKey = await admin(system).createApiKey('globex');
    const foreign = await http(system, 'POST', '/v1/tokens/verify', { body: { token }, basic: globexKey });
    expect(foreign.status).toBe(401);
    expect(foreign.body).toEqual({ error: 'invalid_token', message: 'Token is invalid or expired' });
  });

  it('rejects tampered, alg:none and HS256-with-the-public-key tokens with 401 invalid_token', async () => {
    const token: string = (await mint({ userId: 'dave', role: 'HOST' })).body.accessToken;
    const [header, payload, signature] = token.split('.');
    const claims = decodeJwt(token);
    const forged = base64url.encode(JSON.stringify({ ...claims, role: 'HOST', sub: 'mallory' }));
    const kid = decodeProtectedHeader(token).kid;
    const jwks = (await http(system, 'GET', '/realms/acme/protocol/openid-connect/certs')).body;
    const publicJwk = jwks.keys.find((k: { kid: string }) => k.kid === kid);
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', kid, typ: 'at+jwt' }))}.${payload}.`;
    const hs256 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid, typ: 'at+jwt' })
      .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));

    for (const bad of [`${header}.${forged}.${signature}`, none, hs256, 'garbage', `${token}x`]) {
      const answer = await http(system, 'POST', '/v1/tokens/verify', { body: { token: bad }, basic: production });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ error: 'invalid_token', message: 'Token is invalid or expired' });
    }
  });

  it('applies the development-key limits', async () => {
    const host = await mint({ userId: 'erin', role: 'HOST', rooms: ['a', 'b'] }, development);
    expect(host.status).toBe(201);
    expect(host.body.permissions).not.toContain('broadcast:manage');
    expect(host.body.permissions).toEqual(['live:read', 'layout:read', 'webrtc:join', 'layout:write', 'webrtc:start', 'live:write', 'guests:invite']);
    const { payload } = await jwtVerify(host.body.accessToken, certs('acme'));
    expect(payload.env).toBe('development');

    const noRooms = await mint({ userId: 'erin', role: 'HOST' }, development);
    expect(noRooms.status).toBe(400);
    expect(noRooms.body.message).toContain('rooms');
    const elevenRooms = await mint({ userId: 'erin', role: 'HOST', rooms: Array.from({ length: 11 }, (_, i) => `r${i}`) }, development);
    expect(elevenRooms.status).toBe(400);
    const tooLong = await mint({ userId: 'erin', role: 'HOST', rooms: ['a'], ttlSeconds: 3601 }, development);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.message).toContain('ttlSeconds');
  });

  it('answers bad input with a 4xx naming the field, never a 500, and changes nothing stored', async () => {
    const before = {
      keys: (await admin(system).call('GET', '/admin/tenants/acme/api-keys')).body,
      signing: (await admin(system).call('GET', '/admin/tenants/acme/signing-keys')).body,
    };
    const cases: Array<[unknown, string]> = [
      [{ userId: 'a', role: 'ADMIN' }, 'role'],
      [{ userId: '', role: 'HOST' }, 'userId'],
      [{ userId: 'x'.repeat(256), role: 'HOST' }, 'userId'],
      [{ userId: 'bad\u0007id', role: 'HOST' }, 'userId'],
      [{ userId: 'a', role: 'HOST', rooms: 'lobby' }, 'rooms'],
      [{ userId: 'a', role: 'HOST', rooms: ['has space'] }, 'rooms'],
      [{ userId: 'a', role: 'HOST', rooms: [] }, 'rooms'],
      [{ userId: 'a', role: 'HOST', ttlSeconds: 0 }, 'ttlSeconds'],
      [{ userId: 'a', role: 'HOST', ttlSeconds: 86401 }, 'ttlSeconds'],
      [{ userId: 'a', role: 'HOST', ttlSeconds: 1.5 }, 'ttlSeconds'],
      [{ userId: 'a', role: 'HOST', name: 'n'.repeat(256) }, 'name'],
      [{ userId: 'a', role: 'HOST', room: ['typo'] }, 'room'],
      [[1, 2], 'JSON object'],
    ];
    for (const [body, field] of cases) {
      const answer = await mint(body);
      expect({ body, status: answer.status, error: answer.body.error }).toEqual({ body, status: 400, error: 'invalid_request' });
      expect(answer.body.message).toContain(field);
    }
    const malformed = await http(system, 'POST', '/v1/access-tokens', { rawBody: '{"userId": "a",', basic: production });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe('invalid_request');
    const huge = await http(system, 'POST', '/v1/access-tokens', { body: { userId: 'a', role: 'HOST', name: 'x'.repeat(17 * 1024) }, basic: production });
    expect(huge.status).toBe(413);
    expect(huge.body.error).toBe('payload_too_large');

    expect((await admin(system).call('GET', '/admin/tenants/acme/api-keys')).body).toEqual(before.keys);
    expect((await admin(system).call('GET', '/admin/tenants/acme/signing-keys')).body).toEqual(before.signing);
  });

  it('answers 401 for missing, malformed and wrong credentials', async () => {
    const none = await http(system, 'POST', '/v1/access-tokens', { body: { userId: 'a', role: 'HOST' } });
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('unauthorized');
    expect(none.headers.get('www-authenticate')).toContain('Basic');
    const malformed = await http(system, 'POST', '/v1/access-tokens', { body: {}, headers: { authorization: 'Basic !!!' } });
    expect(malformed.status).toBe(401);
    const wrong = await mint({ userId: 'a', role: 'HOST' }, { apiKey: production.apiKey, secret: 'nope' });
    expect(wrong.status).toBe(401);
    const unknown = await mint({ userId: 'a', role: 'HOST' }, { apiKey: 'rk_prod_doesnotexist', secret: 'nope' });
    expect(unknown.status).toBe(401);
  });

  it('rejects a revoked API key on every issuer replica within 1 s', async () => {
    const key = await admin(system).createApiKey('acme');
    // Warm both replicas' caches through the handlers themselves, so each one is checked.
    const services = system.issuers.map((issuer) => issuer.get(AccessTokenHandlers));
    for (const service of services) await expect(service.create({ ...key, userId: 'u', role: 'GUEST' }, NO_REQUEST)).resolves.toBeDefined();

    const revoked = await admin(system).call('DELETE', `/admin/tenants/acme/api-keys/${key.apiKey}`);
    expect(revoked.status).toBe(204);
    const started = Date.now();
    for (const service of services) {
      await eventuallyRejects(() => service.create({ ...key, userId: 'u', role: 'GUEST' }, NO_REQUEST), 1000 - (Date.now() - started));
    }
    expect(Date.now() - started).toBeLessThan(1000);
    // Refused every time; the polling above already counted failures, so the brute-force limit may answer 429.
    for (let i = 0; i < 10; i++) expect([401, 429]).toContain((await mint({ userId: 'u', role: 'GUEST' }, key)).status);
    const listed = (await admin(system).call('GET', '/admin/tenants/acme/api-keys')).body.items.find((k: any) => k.apiKey === key.apiKey);
    expect(listed.revokedAt).toEqual(expect.any(String));
    expect(listed.secret).toBeUndefined();
  });

  it('keeps a token minted a moment before a rotation valid, on every replica and against the JWKS', async () => {
    const before: string = (await mint({ userId: 'frank', role: 'HOST' })).body.accessToken;
    const oldKid = decodeProtectedHeader(before).kid;
    const rotated = await admin(system).call('POST', '/admin/tenants/acme/signing-keys/rotate');
    expect(rotated.status).toBe(201);
    expect(rotated.body.state).toBe('active');
    expect(rotated.body.kid).not.toBe(oldKid);

    const jwks = (await http(system, 'GET', '/realms/acme/protocol/openid-connect/certs')).body;
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual(expect.arrayContaining([oldKid, rotated.body.kid]));
    await expect(jwtVerify(before, certs('acme'))).resolves.toBeDefined();
    for (let i = 0; i < 6; i++) {
      const answer = await http(system, 'POST', '/v1/tokens/verify', { body: { token: before }, basic: production });
      expect(answer.status).toBe(200);
    }
    // New tokens move to the new key within a moment on every replica.
    await eventuallyTrue(async () => decodeProtectedHeader((await mint({ userId: 'g', role: 'HOST' })).body.accessToken).kid === rotated.body.kid);
    const states = (await admin(system).call('GET', '/admin/tenants/acme/signing-keys')).body.items;
    expect(states.find((k: any) => k.kid === oldKid).state).toBe('retiring');
    expect(states.filter((k: any) => k.state === 'next')).toHaveLength(1);
  });

  it('revokes a compromised signing key: out of the JWKS, its tokens refused on every replica, issuance goes on', async () => {
    const before: string = (await mint({ userId: 'henry', role: 'HOST' })).body.accessToken;
    const kid = decodeProtectedHeader(before).kid!;
    const revoked = await admin(system).call('POST', `/admin/tenants/acme/signing-keys/${kid}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ kid, state: 'revoked' });
    const jwks = (await http(system, 'GET', '/realms/acme/protocol/openid-connect/certs')).body;
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).not.toContain(kid);
    const verifiers = system.issuers.map((issuer) => issuer.get(TokenVerifier));
    for (const verifier of verifiers) await eventuallyRejects(() => verifier.verify('acme', before, NO_REQUEST), 1000);
    // The next key took over: new tokens carry another kid and verify.
    await eventuallyTrue(async () => decodeProtectedHeader((await mint({ userId: 'henry', role: 'HOST' })).body.accessToken).kid !== kid);
    const after: string = (await mint({ userId: 'henry', role: 'HOST' })).body.accessToken;
    expect((await http(system, 'POST', '/v1/tokens/verify', { body: { token: after }, basic: production })).status).toBe(200);
    const states = (await admin(system).call('GET', '/admin/tenants/acme/signing-keys')).body.items;
    expect(states.filter((k: any) => k.state === 'active')).toHaveLength(1);
    expect(states.filter((k: any) => k.state === 'next')).toHaveLength(1);
    expect((await admin(system).call('POST', `/admin/tenants/acme/signing-keys/${kid}/revoke`)).status).toBe(409);
    expect((await admin(system).call('POST', '/admin/tenants/acme/signing-keys/unknown-kid/revoke')).status).toBe(404);
  });
});


async function eventuallyRejects(action: () => Promise<unknown>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + Math.max(timeoutMs, 0);
  for (;;) {
    const rejected = await action().then(
      () => false,
      () => true,
    );
    if (rejected) return;
    if (Date.now() > deadline) throw new Error('still accepted after the deadline');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function eventuallyTrue(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met within 2 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
