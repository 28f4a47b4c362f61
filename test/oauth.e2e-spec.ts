/**
 * The OAuth 2.0 surface end to end: openid-client against discovery and client_credentials, the
 * Auth0-style /oauth/token, RFC 6749 errors, introspection, revocation across issuer replicas,
 * partner-signed HS256 tokens and brute-force limits. Real services, private NATS, real databases.
 */
import { connect } from '@nats-io/transport-node';
import { SignJWT, createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { startIssuerService } from '../apps/issuer/issuer.app';
import { TokenVerifier } from '../apps/issuer/verification/token-verifier.service';
import { admin, http, startSystem, testDatabases, type RoomkeySystem } from './support/harness';
import { NO_REQUEST } from '@roomkey/nats';

const FORM = 'application/x-www-form-urlencoded';
const form = (params: Record<string, string>) => new URLSearchParams(params).toString();

async function createClient(system: RoomkeySystem, tenant: string, body: Record<string, unknown>) {
  const answer = await admin(system).call('POST', `/admin/tenants/${tenant}/clients`, body);
  if (answer.status !== 201) throw new Error(`createClient ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body as { clientId: string; clientSecret: string };
}

describe.each(testDatabases())('OAuth 2.0 (%s)', (database) => {
  let system: RoomkeySystem;
  let machine: { clientId: string; clientSecret: string };
  let apiKey: { apiKey: string; secret: string };
  const issuer = () => `${system.baseUrl}/realms/acme`;
  const tokenPath = '/realms/acme/protocol/openid-connect/token';
  const postForm = (path: string, params: Record<string, string>, headers: Record<string, string> = {}) =>
    http(system, 'POST', path, { rawBody: form(params), contentType: FORM, headers });
  const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}` });

  beforeAll(async () => {
    system = await startSystem({ database, issuers: 2 });
    await admin(system).createTenant('acme');
    await admin(system).createTenant('globex');
    machine = await createClient(system, 'acme', {
      name: 'recorder',
      grantTypes: ['client_credentials'],
      scopes: ['rooms:read', 'rooms:write'],
      audiences: ['https://media.acme.test', 'roomkey'],
    });
    apiKey = await admin(system).createApiKey('acme');
  });

  afterAll(async () => {
    await system?.stop();
  });

  const clientCredentials = (extra: Record<string, string> = {}) =>
    postForm(tokenPath, { grant_type: 'client_credentials', client_id: machine.clientId, client_secret: machine.clientSecret, ...extra });

  it('lets openid-client discover the realm and get a client_credentials token that verifies against the JWKS', async () => {
    const config = await oidc.discovery(new URL(issuer()), machine.clientId, machine.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
    expect(config.serverMetadata().token_endpoint).toBe(`${issuer()}/protocol/openid-connect/token`);
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'rooms:read', audience: 'https://media.acme.test' });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.refresh_token).toBeUndefined();
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, { issuer: issuer(), audience: 'https://media.acme.test', typ: 'at+jwt' });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ sub: machine.clientId, client_id: machine.clientId, kind: 'service', scope: 'rooms:read', tid: 'acme' });
    expect(payload.exp! - payload.iat!).toBe(7200);

    // client_secret_basic works the same way.
    const basicConfig = await oidc.discovery(new URL(issuer()), machine.clientId, undefined, oidc.ClientSecretBasic(machine.clientSecret), { execute: [oidc.allowInsecureRequests] });
    const viaBasic = await oidc.clientCredentialsGrant(basicConfig);
    expect(decodeJwt(viaBasic.access_token).scope).toBe('rooms:read rooms:write');
  });

  it('answers exactly the contract shape with Cache-Control: no-store', async () => {
    const answer = await clientCredentials();
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(answer.body).sort()).toEqual(['access_token', 'expires_in', 'not-before-policy', 'refresh_expires_in', 'scope', 'token_type']);
    expect(answer.body).toMatchObject({ expires_in: 7200, refresh_expires_in: 0, token_type: 'Bearer', 'not-before-policy': 0, scope: 'rooms:read rooms:write' });
  });

  it('serves Auth0-style /oauth/token with JSON and form bodies; the audience must be the client’s', async () => {
    const json = await http(system, 'POST', '/oauth/token', {
      body: { grant_type: 'client_credentials', client_id: machine.clientId, client_secret: machine.clientSecret, audience: 'https://media.acme.test' },
    });
    expect(json.status).toBe(200);
    const jwks = createRemoteJWKSet(new URL(`${issuer()}/protocol/openid-connect/certs`));
    const { payload } = await jwtVerify(json.body.access_token, jwks, { issuer: issuer() });
    expect(payload.aud).toBe('https://media.acme.test');

    const viaForm = await postForm('/oauth/token', { grant_type: 'client_credentials', audience: 'roomkey' }, basic(machine.clientId, machine.clientSecret));
    expect(viaForm.status).toBe(200);
    expect(decodeJwt(viaForm.body.access_token).aud).toBe('roomkey');

    const foreign = await http(system, 'POST', '/oauth/token', {
      body: { grant_type: 'client_credentials', client_id: machine.clientId, client_secret: machine.clientSecret, audience: 'https://elsewhere.test' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toEqual({ error: 'access_denied', error_description: expect.any(String) });
  });

  it('advertises what it supports in discovery', async () => {
    const metadata = (await http(system, 'GET', '/realms/acme/.well-known/openid-configuration')).body;
    expect(metadata).toMatchObject({
      issuer: issuer(),
      token_endpoint: `${issuer()}/protocol/openid-connect/token`,
      introspection_endpoint: `${issuer()}/protocol/openid-connect/token/introspect`,
      revocation_endpoint: `${issuer()}/protocol/openid-connect/revoke`,
      jwks_uri: `${issuer()}/protocol/openid-connect/certs`,
      grant_types_supported: ['client_credentials', 'authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:token-exchange'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
  });

  it('answers each RFC 6749 §5.2 error with its status and never a 500', async () => {
    const codeOnly = await createClient(system, 'acme', { grantTypes: ['authorization_code'], redirectUris: ['https://app.acme.test/cb'] });
    const revoked = await createClient(system, 'acme', { grantTypes: ['client_credentials'] });
    expect((await admin(system).call('DELETE', `/admin/tenants/acme/clients/${revoked.clientId}`)).status).toBe(204);
    const globexClient = await createClient(system, 'globex', { grantTypes: ['client_credentials'] });
    const own = { client_id: machine.clientId, client_secret: machine.clientSecret };

    const cases: Array<[string, () => ReturnType<typeof postForm>, number, string]> = [
      ['missing grant_type', () => postForm(tokenPath, own), 400, 'invalid_request'],
      ['unknown grant', () => postForm(tokenPath, { ...own, grant_type: 'password' }), 400, 'unsupported_grant_type'],
      ['grant not implemented yet', () => postForm(tokenPath, { ...own, grant_type: 'urn:ietf:params:oauth:grant-type:device_code' }), 400, 'unsupported_grant_type'],
      ['duplicate parameters', () => http(system, 'POST', tokenPath, { rawBody: `${form({ grant_type: 'client_credentials', ...own })}&scope=a&scope=b`, contentType: FORM }), 400, 'invalid_request'],
      ['wrong content type', () => http(system, 'POST', tokenPath, { body: { grant_type: 'client_credentials', ...own } }), 400, 'invalid_request'],
      ['grant the client may not use', () => postForm(tokenPath, { grant_type: 'client_credentials', client_id: codeOnly.clientId, client_secret: codeOnly.clientSecret }), 400, 'unauthorized_client'],
      ['audience it does not own', () => postForm(tokenPath, { grant_type: 'client_credentials', ...own, audience: 'https://elsewhere.test' }), 403, 'access_denied'],
      ['scope it does not own', () => postForm(tokenPath, { grant_type: 'client_credentials', ...own, scope: 'rooms:read admin' }), 400, 'invalid_scope'],
      ['revoked client', () => postForm(tokenPath, { grant_type: 'client_credentials', client_id: revoked.clientId, client_secret: revoked.clientSecret }), 401, 'invalid_client'],
      ['wrong secret', () => postForm(tokenPath, { grant_type: 'client_credentials', client_id: machine.clientId, client_secret: 'nope' }), 401, 'invalid_client'],
      ['no client authentication', () => postForm(tokenPath, { grant_type: 'client_credentials' }), 401, 'invalid_client'],
      ['another realm’s client', () => postForm(tokenPath, { grant_type: 'client_credentials', client_id: globexClient.clientId, client_secret: globexClient.clientSecret }), 401, 'invalid_client'],
      ['two authentication methods', () => postForm(tokenPath, { grant_type: 'client_credentials', ...own }, basic(machine.clientId, machine.clientSecret)), 400, 'invalid_request'],
      ['body over 16 KiB', () => postForm(tokenPath, { grant_type: 'client_credentials', ...own, scope: 'x'.repeat(17 * 1024) }), 413, 'payload_too_large'],
      ['unknown realm', () => postForm('/realms/nobody/protocol/openid-connect/token', { grant_type: 'client_credentials', ...own }), 401, 'invalid_client'],
    ];
    for (const [name, send, status, error] of cases) {
      const answer = await send();
      expect({ name, status: answer.status, error: answer.body?.error }).toEqual({ name, status, error });
      expect(answer.body.error_description).toEqual(expect.any(String));
      if (status === 401) expect(answer.headers.get('www-authenticate')).toContain('Basic');
    }
  });

  it('introspects: active tokens with their claims, {active:false} for anything else', async () => {
    const token = (await clientCredentials()).body.access_token;
    const introspect = (t: string, auth: Record<string, string> = basic(machine.clientId, machine.clientSecret)) => postForm('/realms/acme/protocol/openid-connect/token/introspect', { token: t }, auth);
    const active = await introspect(token);
    expect(active.status).toBe(200);
    expect(active.body).toMatchObject({ active: true, token_type: 'Bearer', sub: machine.clientId, client_id: machine.clientId, scope: 'rooms:read rooms:write' });
    const userToken = (await http(system, 'POST', '/v1/access-tokens', { basic: apiKey, body: { userId: 'alice', role: 'HOST' } })).body.accessToken;
    expect((await introspect(userToken)).body).toMatchObject({ active: true, sub: 'alice', role: 'HOST' });
    for (const garbage of ['garbage', `${token}x`, '']) {
      const answer = await introspect(garbage || 'a.b.c');
      expect(answer.body).toEqual({ active: false });
    }
    expect((await introspect(token, {})).status).toBe(401);
  });

  it('revokes per RFC 7009: every replica refuses the token within 1 s, and an event says so', async () => {
    const token = (await clientCredentials()).body.access_token;
    const { jti } = decodeJwt(token);
    const nats = await connect({ servers: system.natsUrl });
    const events: unknown[] = [];
    nats.subscribe('roomkey.v1.events.acme.token.revoked', { callback: (_e, m) => void events.push(m.json()) });
    await nats.flush();

    const revoked = await postForm('/realms/acme/protocol/openid-connect/revoke', { token, token_type_hint: 'access_token' }, basic(machine.clientId, machine.clientSecret));
    expect(revoked.status).toBe(200);
    const started = Date.now();
    for (const replica of system.issuers) {
      const verifier = replica.get(TokenVerifier);
      while (await verifier.verify('acme', token, NO_REQUEST).then(() => true, () => false)) {
        if (Date.now() - started > 1000) throw new Error('a replica still accepts the revoked token after 1 s');
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    expect((await postForm('/realms/acme/protocol/openid-connect/token/introspect', { token }, basic(machine.clientId, machine.clientSecret))).body).toEqual({ active: false });
    expect((await http(system, 'POST', '/v1/tokens/verify', { basic: apiKey, body: { token } })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toEqual([expect.objectContaining({ type: 'token.revoked', tenant: 'acme', jti })]);
    expect(JSON.stringify(events)).not.toContain(token);
    await nats.close();

    // Garbage is not an error (RFC 7009 §2.2); another client's token is refused.
    expect((await postForm('/realms/acme/protocol/openid-connect/revoke', { token: 'garbage' }, basic(machine.clientId, machine.clientSecret))).status).toBe(200);
    const other = await createClient(system, 'acme', { grantTypes: ['client_credentials'] });
    const othersToken = (await postForm(tokenPath, { grant_type: 'client_credentials', client_id: other.clientId, client_secret: other.clientSecret })).body.access_token;
    const refused = await postForm('/realms/acme/protocol/openid-connect/revoke', { token: othersToken }, basic(machine.clientId, machine.clientSecret));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('unauthorized_client');
  });

  it('revokes with an API key by token or jti, also for replicas started afterwards', async () => {
    const mint = async () => (await http(system, 'POST', '/v1/access-tokens', { basic: apiKey, body: { userId: 'bob', role: 'GUEST' } })).body.accessToken as string;
    const byToken = await mint();
    const byJti = await mint();
    const answer = await http(system, 'POST', '/v1/tokens/revoke', { basic: apiKey, body: { token: byToken } });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ revoked: true, jti: decodeJwt(byToken).jti });
    expect((await http(system, 'POST', '/v1/tokens/revoke', { basic: apiKey, body: { jti: decodeJwt(byJti).jti } })).status).toBe(200);
    expect((await http(system, 'POST', '/v1/tokens/revoke', { basic: apiKey, body: { token: byToken, jti: 'x' } })).status).toBe(400);
    expect((await http(system, 'POST', '/v1/tokens/revoke', { basic: apiKey, body: { jti: 'not a jti!' } })).status).toBe(400);
    expect((await http(system, 'POST', '/v1/tokens/revoke', { body: { jti: 'abc' } })).status).toBe(401);

    const late = await startIssuerService(system.issuers[0].get(TokenVerifier)['keyrings']['config']);
    try {
      const verifier = late.get(TokenVerifier);
      await expect(verifier.verify('acme', byToken, NO_REQUEST)).rejects.toThrow('Token is invalid or expired');
      await expect(verifier.verify('acme', byJti, NO_REQUEST)).rejects.toThrow('Token is invalid or expired');
      await expect(verifier.verify('acme', await mint(), NO_REQUEST)).resolves.toMatchObject({ sub: 'bob' });
    } finally {
      await late.close();
    }
  });

  it('verifies partner-signed HS256 tokens (VideoSDK style) and maps their permissions', async () => {
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims: Record<string, unknown>, secret = apiKey.secret) =>
      new SignJWT({ apikey: apiKey.apiKey, version: 2, ...claims }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt(now).setExpirationTime(now + 600).sign(new TextEncoder().encode(secret));
    const verify = (token: string, credentials = apiKey) => http(system, 'POST', '/v1/tokens/verify', { basic: credentials, body: { token } });

    const good = await verify(await sign({ permissions: ['allow_join', 'allow_mod'], roomId: 'town-hall', participantId: 'p-1', roles: ['rtc'] }));
    expect(good.status).toBe(200);
    expect(good.body.active).toBe(true);
    expect(good.body.claims).toMatchObject({ apikey: apiKey.apiKey, tid: 'acme', kind: 'partner', rooms: ['town-hall'], participantId: 'p-1' });
    expect(good.body.claims.perms).toEqual(['live:read', 'layout:read', 'webrtc:join', 'layout:write', 'live:write']);
    const asking = await verify(await sign({ permissions: ['ask_join'] }));
    expect(asking.body.claims.perms).toEqual(['live:read', 'layout:read']);
    expect(asking.body.claims.join_approval).toBe('required');

    const nats = await connect({ servers: system.natsUrl });
    const overNats = await nats.request('roomkey.v1.tokens.verify', JSON.stringify({ ...apiKey, token: await sign({ permissions: ['allow_join'] }) }), { timeout: 5000 });
    expect(overNats.json()).toMatchObject({ ok: true, active: true, claims: { perms: ['live:read', 'layout:read', 'webrtc:join'] } });
    await nats.close();

    const globexKey = await admin(system).createApiKey('globex');
    const expired = await new SignJWT({ apikey: apiKey.apiKey, permissions: ['allow_join'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(now - 3600)
      .setExpirationTime(now - 120)
      .sign(new TextEncoder().encode(apiKey.secret));
    const valid = await sign({ permissions: ['allow_join'] });
    const bad = [
      ['tampered', `${valid.slice(0, valid.lastIndexOf('.'))}.${'A'.repeat(43)}`, apiKey],
      ['expired', expired, apiKey],
      ['wrong secret', await sign({ permissions: ['allow_join'] }, 'not-the-secret'), apiKey],
      ['unknown permission', await sign({ permissions: ['allow_everything'] }), apiKey],
      ['bad roles', await sign({ permissions: ['allow_join'], roles: ['admin'] }), apiKey],
      ['bad roomId', await sign({ permissions: ['allow_join'], roomId: 'has space' }), apiKey],
      ['another tenant asks', valid, globexKey],
    ] as const;
    for (const [name, token, credentials] of bad) {
      const answer = await verify(token, credentials);
      expect({ name, status: answer.status, body: answer.body }).toEqual({ name, status: 401, body: { error: 'invalid_token', message: 'Token is invalid or expired' } });
    }
  });

  it('manages clients: secret shown once, list, rotation with a grace period, validation', async () => {
    const created = await admin(system).call('POST', '/admin/tenants/acme/clients', { name: 'bot', grantTypes: ['client_credentials'], accessTokenTtl: 600 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ clientId: expect.stringMatching(/^rkc_/), clientSecret: expect.any(String), accessTokenTtl: 600, audiences: ['roomkey'], public: false });
    const pub = await admin(system).call('POST', '/admin/tenants/acme/clients', { public: true, grantTypes: ['authorization_code', 'refresh_token'], redirectUris: ['http://127.0.0.1:5173/cb'] });
    expect(pub.status).toBe(201);
    expect(pub.body.clientSecret).toBeUndefined();
    const list = await admin(system).call('GET', '/admin/tenants/acme/clients');
    expect(JSON.stringify(list.body)).not.toContain(created.body.clientSecret);
    expect((await admin(system).call('GET', `/admin/tenants/acme/clients/${created.body.clientId}`)).body.name).toBe('bot');

    const rotated = await admin(system).call('POST', `/admin/tenants/acme/clients/${created.body.clientId}/secret`);
    expect(rotated.status).toBe(201);
    for (const secret of [created.body.clientSecret, rotated.body.clientSecret]) {
      const answer = await postForm(tokenPath, { grant_type: 'client_credentials', client_id: created.body.clientId, client_secret: secret });
      expect(answer.status).toBe(200);
      expect(answer.body.expires_in).toBe(600);
    }

    const invalid: Array<[Record<string, unknown>, string]> = [
      [{}, 'grantTypes'],
      [{ grantTypes: ['password'] }, 'grantTypes'],
      [{ grantTypes: ['client_credentials'], public: true }, 'grantTypes'],
      [{ grantTypes: ['authorization_code'] }, 'redirectUris'],
      [{ grantTypes: ['authorization_code'], redirectUris: ['http://evil.test/cb'] }, 'redirectUris'],
      [{ grantTypes: ['client_credentials'], accessTokenTtl: 57601 }, 'accessTokenTtl'],
      [{ grantTypes: ['client_credentials'], scopes: ['has space'] }, 'scopes'],
      [{ grantTypes: ['client_credentials'], secret: 'mine' }, 'secret'],
    ];
    for (const [body, field] of invalid) {
      const answer = await admin(system).call('POST', '/admin/tenants/acme/clients', body);
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
      expect(answer.body.message).toContain(field);
    }
    expect((await admin(system).call('DELETE', '/admin/tenants/acme/clients/rkc_unknown')).status).toBe(404);
  });
});

describe('brute-force protection', () => {
  let system: RoomkeySystem;

  beforeAll(async () => {
    system = await startSystem({ database: 'sqlite', issuers: 2, authFailuresPerIdentifier: 3, authFailuresPerAddress: 12 });
    await admin(system).createTenant('acme');
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('answers 429 with Retry-After after repeated failures, without slowing the right secret or other clients', async () => {
    const victim = await createClient(system, 'acme', { grantTypes: ['client_credentials'] });
    const bystander = await createClient(system, 'acme', { grantTypes: ['client_credentials'] });
    const tokenPath = '/realms/acme/protocol/openid-connect/token';
    const attempt = (client: { clientId: string }, secret: string) =>
      http(system, 'POST', tokenPath, { rawBody: form({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: secret }), contentType: FORM });

    for (let i = 0; i < 3; i++) expect((await attempt(victim, 'wrong')).status).toBe(401);
    const limited = await attempt(victim, 'wrong');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body.error).toBe('rate_limited');
    // Across replicas too: the next wrong attempts are refused whichever replica takes them.
    for (let i = 0; i < 2; i++) expect((await attempt(victim, 'wrong')).status).toBe(429);
    // The right secret is not slowed, nor is another client.
    expect((await attempt(victim, (victim as { clientSecret: string }).clientSecret)).status).toBe(200);
    expect((await attempt(bystander, (bystander as { clientSecret: string }).clientSecret)).status).toBe(200);

    // API keys are counted the same way.
    const key = await admin(system).createApiKey('acme');
    const wrong = { apiKey: key.apiKey, secret: 'wrong' };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await http(system, 'POST', '/v1/access-tokens', { basic: wrong, body: { userId: 'u', role: 'HOST' } })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await http(system, 'POST', '/v1/access-tokens', { basic: key, body: { userId: 'u', role: 'HOST' } })).status).toBe(201);

    // 10 failures from this address so far; its limit is 12. Past it, wrong secrets from the address
    // are refused with 429 (contract §4) — but a client that authenticates correctly is never slowed
    // by another's failures, even from the same address.
    expect((await attempt(bystander, 'wrong')).status).toBe(401);
    expect((await attempt(bystander, 'wrong')).status).toBe(401);
    const blocked = await attempt(bystander, 'wrong');
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toEqual(expect.any(String));
    expect((await attempt(bystander, (bystander as { clientSecret: string }).clientSecret)).status).toBe(200);
  });
});
