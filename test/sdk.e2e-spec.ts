/**
 * @roomkey/sdk against the real services (issue 15): RoomkeyClient over HTTP and over NATS (client
 * role) with typed errors both ways, TokenProvider refreshing a short-lived token with real timers,
 * RoomkeyVerifier dropping revoked tokens within 1 s, keeping its last good keys when the JWKS is
 * down and fetching at most once per interval under an unknown-kid flood.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jwtVerify } from 'jose';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { RoomkeyClient, RoomkeyError, RoomkeyVerifier, TokenProvider } from '../packages/sdk/src';
import { admin, eventually, startAuthorization, startSystem, testDatabases, type RoomkeySystem } from './support/harness';
import { natsRoles } from './support/nats-roles';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy';

const LOGIN_URL = 'https://login.acme.test/login';
const REDIRECT_URI = 'https://app.acme.test/callback';
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

async function rejection(promise: Promise<unknown>): Promise<RoomkeyError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RoomkeyError);
    return error as RoomkeyError;
  }
  throw new Error('expected a RoomkeyError');
}

/** Polls `verify` until it throws invalid_token; returns how long that took. */
async function dropped(verifier: RoomkeyVerifier, token: string, since: number, timeoutMs = 5000): Promise<number> {
  await eventually(
    () =>
      verifier.verify(token).then(
        () => false,
        (error: RoomkeyError) => error.code === 'invalid_token',
      ),
    timeoutMs,
    10,
  );
  return Date.now() - since;
}

describe.each(testDatabases())('@roomkey/sdk on %s', (database) => {
  const roles = natsRoles();
  const { users } = roles;
  let system: RoomkeySystem;
  let nats: NatsConnection;
  let key: { apiKey: string; secret: string };
  let http: RoomkeyClient;
  let overNats: RoomkeyClient;
  let operator: RoomkeyClient;

  beforeAll(async () => {
    system = await startSystem({
      database,
      ...roles.system,
    });
    nats = await connect({ servers: system.natsUrl, user: users.clientUser, pass: users.clientPassword });
    await admin(system).createTenant('acme', { guestAccess: true, anonymousAccess: true });
    key = await admin(system).createApiKey('acme');
    http = new RoomkeyClient({ url: system.baseUrl, apiKey: key.apiKey, apiSecret: key.secret });
    overNats = new RoomkeyClient({ nats, apiKey: key.apiKey, apiSecret: key.secret });
    operator = new RoomkeyClient({ url: system.baseUrl, adminToken: system.adminToken });
  });

  afterAll(async () => {
    await nats?.close();
    await system?.stop();
  });

  describe('RoomkeyClient', () => {
    it.each([
      ['HTTP', () => http],
      ['NATS', () => overNats],
    ])('creates and verifies tokens, guests and anonymous viewers over %s', async (_name, client) => {
      const created = await client().createAccessToken({ userId: 'alice', role: 'HOST', rooms: ['r1'], ttlSeconds: 600 });
      expect(created).toMatchObject({ tokenType: 'Bearer', expiresIn: 600, role: 'HOST' });
      expect(created).not.toHaveProperty('ok');
      const verified = await client().verifyToken(created.accessToken);
      expect(verified.active).toBe(true);
      expect(verified.claims).toMatchObject({ sub: 'alice', tid: 'acme', rooms: ['r1'] });
      const guest = await client().createGuest({ name: 'Gail' });
      expect(guest.user.kind).toBe('guest');
      const anonymous = await client().createAnonymousToken({ rooms: ['r1'] });
      expect((await client().verifyToken(anonymous.accessToken)).claims).toMatchObject({ sub: '!anon', kind: 'anonymous' });
    });

    it.each([
      ['HTTP', () => http, (apiSecret: string) => new RoomkeyClient({ url: system.baseUrl, apiKey: key.apiKey, apiSecret })],
      ['NATS', () => overNats, (apiSecret: string) => new RoomkeyClient({ nats, apiKey: key.apiKey, apiSecret })],
    ])('throws typed errors with the contract code and status over %s', async (_name, client, withSecret) => {
      const badRole = await rejection(client().createAccessToken({ userId: 'alice', role: 'KING' as 'HOST' }));
      expect(badRole).toMatchObject({ code: 'invalid_request', status: 400 });
      expect(badRole.message).toMatch(/role/);
      expect(await rejection(withSecret('wrong').createAccessToken({ userId: 'a', role: 'HOST' }))).toMatchObject({ code: 'unauthorized', status: 401 });
      expect(await rejection(client().verifyToken('not-a-token'))).toMatchObject({ code: 'invalid_token', status: 401, message: 'Token is invalid or expired' });
    });

    it('revokes a token and a user over HTTP; over NATS alone those say clearly they need url', async () => {
      const token = (await http.createAccessToken({ userId: 'bob', role: 'GUEST' })).accessToken;
      expect(await http.revokeToken({ token })).toMatchObject({ revoked: true });
      expect(await rejection(http.verifyToken(token))).toMatchObject({ code: 'invalid_token' });
      const carol = (await http.createAccessToken({ userId: 'carol', role: 'GUEST' })).accessToken;
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await http.revokeUser('carol')).toMatchObject({ userId: 'carol' });
      expect(await rejection(overNats.verifyToken(carol))).toMatchObject({ code: 'invalid_token', status: 401 });
      const notOverNats = await rejection(overNats.revokeToken({ jti: 'x' }));
      expect(notOverNats).toMatchObject({ code: 'not_supported', status: 501 });
      expect(notOverNats.message).toMatch(/url/);
      expect(await rejection(overNats.admin.tenants.list())).toMatchObject({ code: 'not_supported' });
      // With both, the public calls go over NATS and the rest over HTTP.
      const both = new RoomkeyClient({ nats, url: system.baseUrl, apiKey: key.apiKey, apiSecret: key.secret });
      const dave = (await both.createAccessToken({ userId: 'dave', role: 'GUEST' })).accessToken;
      await both.revokeToken({ token: dave });
      expect(await rejection(both.verifyToken(dave))).toMatchObject({ code: 'invalid_token' });
    });

    it('creates and redeems invites; a used-up invite is gone (410); over NATS alone they need url', async () => {
      const host = (await http.createAccessToken({ userId: 'hana', role: 'HOST', rooms: ['r1', 'r2'], ttlSeconds: 600 })).accessToken;
      const invite = await http.createInvite(host, { role: 'GUEST', rooms: ['r1'], ttlSeconds: 300 });
      expect(invite.inviteCode).toMatch(/^rk_inv_/);
      expect(Date.parse(invite.expiresAt)).toBeGreaterThan(Date.now());
      // Redeeming needs no credentials at all.
      const anyone = new RoomkeyClient({ url: system.baseUrl });
      const guest = await anyone.redeemInvite(invite.inviteCode, { name: 'Ivy' });
      expect(guest.user).toMatchObject({ kind: 'guest', name: 'Ivy' });
      expect((await http.verifyToken(guest.accessToken)).claims).toMatchObject({ role: 'GUEST', rooms: ['r1'], kind: 'guest', act: { sub: 'hana' } });
      // maxUses defaults to 1: the second redemption finds it used up.
      expect(await rejection(anyone.redeemInvite(invite.inviteCode))).toMatchObject({ code: 'gone', status: 410 });
      expect(await rejection(anyone.redeemInvite(`rk_inv_${'A'.repeat(32)}`))).toMatchObject({ code: 'not_found', status: 404 });
      const viewer = (await http.createAccessToken({ userId: 'vic', role: 'VIEWER', rooms: ['r1'] })).accessToken;
      expect(await rejection(http.createInvite(viewer, { role: 'VIEWER' }))).toMatchObject({ code: 'forbidden', status: 403 });
      expect(await rejection(anyone.createInvite('not-a-token', { role: 'GUEST' }))).toMatchObject({ code: 'invalid_token', status: 401 });

      for (const call of [() => overNats.createInvite(host, { role: 'GUEST' }), () => overNats.redeemInvite(invite.inviteCode)]) {
        const refused = await rejection(call());
        expect(refused).toMatchObject({ code: 'not_supported', status: 501 });
        expect(refused.message).toMatch(/Invite is not available over NATS.*url/);
      }
      const both = new RoomkeyClient({ nats, url: system.baseUrl, apiKey: key.apiKey, apiSecret: key.secret });
      const twice = await both.createInvite(host, { role: 'VIEWER', maxUses: 2 });
      for (let i = 0; i < 2; i++) expect((await both.redeemInvite(twice.inviteCode)).user.kind).toBe('guest');
      expect(await rejection(both.redeemInvite(twice.inviteCode))).toMatchObject({ code: 'gone', status: 410 });
    });

    it('gets client-credentials tokens, introspects and revokes them with client.oauth; a wrong secret is invalid_client 401', async () => {
      const machine = await operator.admin.clients.create('acme', { grantTypes: ['client_credentials'], scopes: ['rooms:read', 'rooms:write'], audiences: ['https://media.acme.test'] });
      const auth = { tenant: 'acme', clientId: machine.clientId, clientSecret: machine.clientSecret! };
      // No API key needed: the OAuth client authenticates itself.
      const oauth = new RoomkeyClient({ url: system.baseUrl }).oauth;
      const issued = await oauth.clientCredentials({ ...auth, scope: 'rooms:read', audience: 'https://media.acme.test' });
      expect(issued).toMatchObject({ token_type: 'Bearer', scope: 'rooms:read', refresh_expires_in: 0, 'not-before-policy': 0 });
      expect(issued.refresh_token).toBeUndefined();
      expect(await oauth.introspect({ ...auth, token: issued.access_token })).toMatchObject({ active: true, token_type: 'Bearer', sub: machine.clientId, client_id: machine.clientId, kind: 'service', scope: 'rooms:read' });
      expect(await oauth.introspect({ ...auth, token: 'garbage' })).toEqual({ active: false });
      await expect(oauth.revoke({ ...auth, token: issued.access_token })).resolves.toBeUndefined();
      expect(await oauth.introspect({ ...auth, token: issued.access_token })).toEqual({ active: false });
      expect(await rejection(http.verifyToken(issued.access_token))).toMatchObject({ code: 'invalid_token' });

      const wrong = await rejection(oauth.clientCredentials({ ...auth, clientSecret: 'wrong' }));
      expect(wrong).toMatchObject({ code: 'invalid_client', status: 401 });
      expect(wrong.message).not.toBe('HTTP 401');
      expect(await rejection(oauth.introspect({ ...auth, clientSecret: 'wrong', token: issued.access_token }))).toMatchObject({ code: 'invalid_client', status: 401 });
      expect(await rejection(oauth.clientCredentials({ ...auth, scope: 'rooms:admin' }))).toMatchObject({ code: 'invalid_scope', status: 400 });

      const refused = await rejection(overNats.oauth.clientCredentials(auth));
      expect(refused).toMatchObject({ code: 'not_supported', status: 501 });
      expect(refused.message).toMatch(/oauth\.clientCredentials/);
      const both = new RoomkeyClient({ nats, url: system.baseUrl });
      expect((await both.oauth.clientCredentials(auth)).token_type).toBe('Bearer');
    });

    it('exchanges a token (RFC 8693) with client.oauth.exchangeToken, never wider than the subject', async () => {
      const exchanger = await operator.admin.clients.create('acme', { grantTypes: [EXCHANGE] });
      const auth = { tenant: 'acme', clientId: exchanger.clientId, clientSecret: exchanger.clientSecret! };
      const subject = (await http.createAccessToken({ userId: 'alice', role: 'HOST', rooms: ['stage', 'lobby', 'backstage'], ttlSeconds: 600 })).accessToken;
      const exchanged = await http.oauth.exchangeToken({ ...auth, subjectToken: subject, resource: ['stage', 'lobby'], role: 'GUEST' });
      expect(exchanged).toMatchObject({ token_type: 'Bearer', issued_token_type: ACCESS_TOKEN_TYPE });
      expect(exchanged.refresh_token).toBeUndefined();
      const { claims } = await http.verifyToken(exchanged.access_token);
      expect(claims).toMatchObject({ sub: 'alice', role: 'GUEST', client_id: exchanger.clientId, act: { sub: exchanger.clientId } });
      expect([...(claims.rooms as string[])].sort()).toEqual(['lobby', 'stage']);
      // Wider than the subject token, a subject that is no token, a client without the grant.
      expect(await rejection(http.oauth.exchangeToken({ ...auth, subjectToken: subject, resource: 'elsewhere' }))).toMatchObject({ code: 'invalid_target', status: 400 });
      expect(await rejection(http.oauth.exchangeToken({ ...auth, subjectToken: 'not-a-token' }))).toMatchObject({ code: 'invalid_request', status: 400 });
      const machine = await operator.admin.clients.create('acme', { grantTypes: ['client_credentials'] });
      expect(await rejection(http.oauth.exchangeToken({ tenant: 'acme', clientId: machine.clientId, clientSecret: machine.clientSecret!, subjectToken: subject }))).toMatchObject({
        code: 'unauthorized_client',
        status: 400,
      });
      expect(await rejection(http.oauth.exchangeToken({ ...auth, clientSecret: 'wrong', subjectToken: subject }))).toMatchObject({ code: 'invalid_client', status: 401 });
      expect(await rejection(overNats.oauth.exchangeToken({ ...auth, subjectToken: subject }))).toMatchObject({ code: 'not_supported', status: 501 });
    });

    it('completes a login with client.loginRequests and the code and refresh with client.oauth; an unknown challenge is 404', async () => {
      await operator.admin.tenants.update('acme', { loginUrl: LOGIN_URL });
      const spa = await operator.admin.clients.create('acme', { public: true, grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [REDIRECT_URI] });
      const startLogin = async () => {
        const { verifier, challenge } = await startAuthorization(system, { tenant: 'acme', clientId: spa.clientId, redirectUri: REDIRECT_URI });
        return { codeVerifier: verifier, challenge };
      };

      const { codeVerifier, challenge } = await startLogin();
      expect(await http.loginRequests.get(challenge)).toMatchObject({ challenge, tenant: 'acme', clientId: spa.clientId, redirectUri: REDIRECT_URI, state: 'created' });
      const { redirectTo } = await http.loginRequests.accept(challenge, { subject: 'alice', role: 'GUEST', rooms: ['town-hall'] });
      const callback = new URL(redirectTo);
      expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
      expect(callback.searchParams.get('state')).toBe('xyz');
      const code = callback.searchParams.get('code')!;

      // A public client: its id alone, no secret.
      const app = new RoomkeyClient({ url: system.baseUrl }).oauth;
      const client = { tenant: 'acme', clientId: spa.clientId };
      expect(await rejection(app.exchangeAuthorizationCode({ ...client, code, redirectUri: REDIRECT_URI, codeVerifier: randomBytes(32).toString('base64url') }))).toMatchObject({
        code: 'invalid_grant',
        status: 400,
      });
      const tokens = await app.exchangeAuthorizationCode({ ...client, code, redirectUri: REDIRECT_URI, codeVerifier });
      expect(tokens).toMatchObject({ token_type: 'Bearer', refresh_token: expect.any(String) });
      expect((await http.verifyToken(tokens.access_token)).claims).toMatchObject({ sub: 'alice', role: 'GUEST', rooms: ['town-hall'], kind: 'user', client_id: spa.clientId });
      expect((await http.loginRequests.get(challenge)).state).toBe('code_used');
      // A code used twice is invalid_grant (and revokes what the first use issued).
      expect(await rejection(app.exchangeAuthorizationCode({ ...client, code, redirectUri: REDIRECT_URI, codeVerifier }))).toMatchObject({ code: 'invalid_grant', status: 400 });

      const second = await startLogin();
      const secondCode = new URL((await http.loginRequests.accept(second.challenge, { subject: 'bob' })).redirectTo).searchParams.get('code')!;
      const first = await app.exchangeAuthorizationCode({ ...client, code: secondCode, redirectUri: REDIRECT_URI, codeVerifier: second.codeVerifier });
      const refreshed = await app.refresh({ ...client, refreshToken: first.refresh_token! });
      expect(refreshed.refresh_token).toEqual(expect.any(String));
      expect(refreshed.refresh_token).not.toBe(first.refresh_token);
      expect((await http.verifyToken(refreshed.access_token)).claims.sub).toBe('bob');
      // The spent refresh token: invalid_grant.
      expect(await rejection(app.refresh({ ...client, refreshToken: first.refresh_token! }))).toMatchObject({ code: 'invalid_grant', status: 400 });

      const rejected = await startLogin();
      const denied = new URL((await http.loginRequests.reject(rejected.challenge, { error: 'access_denied', error_description: 'No such user' })).redirectTo);
      expect(denied.searchParams.get('error')).toBe('access_denied');
      expect(await rejection(http.loginRequests.accept(rejected.challenge, { subject: 'carol' }))).toMatchObject({ code: 'conflict', status: 409 });

      const unknown = randomBytes(32).toString('base64url');
      expect(await rejection(http.loginRequests.get(unknown))).toMatchObject({ code: 'not_found', status: 404 });
      expect(await rejection(http.loginRequests.accept(unknown, { subject: 'alice' }))).toMatchObject({ code: 'not_found', status: 404 });
      expect(await rejection(http.loginRequests.reject(unknown, { error: 'access_denied' }))).toMatchObject({ code: 'not_found', status: 404 });
      const wrongSecret = new RoomkeyClient({ url: system.baseUrl, apiKey: key.apiKey, apiSecret: 'wrong' });
      expect(await rejection(wrongSecret.loginRequests.get(challenge))).toMatchObject({ code: 'unauthorized', status: 401 });
      const refused = await rejection(overNats.loginRequests.get(challenge));
      expect(refused).toMatchObject({ code: 'not_supported', status: 501 });
      expect(refused.message).toMatch(/loginRequests\.get/);
    });

    it('runs the admin operations', async () => {
      const a = operator.admin;
      const tenant = await a.tenants.create({ shortcode: 'globex', name: 'Globex' });
      expect(tenant).toMatchObject({ shortcode: 'globex', issuer: `${system.baseUrl}/realms/globex` });
      expect(await rejection(a.tenants.create({ shortcode: 'globex', name: 'Again' }))).toMatchObject({ code: 'conflict', status: 409 });
      expect((await a.tenants.get('globex')).name).toBe('Globex');
      expect((await a.tenants.update('globex', { name: 'Globex Corp' })).name).toBe('Globex Corp');
      expect((await a.tenants.list({ limit: 100 })).items.map((t) => t.shortcode)).toEqual(expect.arrayContaining(['acme', 'globex']));
      expect(await rejection(a.tenants.get('nope'))).toMatchObject({ code: 'not_found', status: 404 });

      const created = await a.apiKeys.create('globex', { environment: 'development', name: 'ci' });
      expect(created.apiKey).toMatch(/^rk_dev_/);
      expect((await a.apiKeys.list('globex')).items.map((k) => k.apiKey)).toContain(created.apiKey);
      const rotated = await a.apiKeys.rotate('globex', created.apiKey, { graceSeconds: 0 });
      expect(rotated.secret).not.toBe(created.secret);
      await a.apiKeys.revoke('globex', created.apiKey);

      const client = await a.clients.create('globex', { grantTypes: ['client_credentials'], name: 'svc' });
      expect(client.clientSecret).toBeTruthy();
      expect((await a.clients.list('globex')).items.map((c) => c.clientId)).toContain(client.clientId);
      expect((await a.clients.get('globex', client.clientId)).name).toBe('svc');
      expect((await a.clients.update('globex', client.clientId, { name: 'svc2' })).name).toBe('svc2');
      expect((await a.clients.rotateSecret('globex', client.clientId)).clientSecret).not.toBe(client.clientSecret);
      await a.clients.revoke('globex', client.clientId);

      const keys = await a.signingKeys.list('globex');
      const rotatedKey = await a.signingKeys.rotate('globex');
      expect(rotatedKey.state).toBe('active');
      expect(keys.items.length).toBeGreaterThan(0);
      expect((await a.revokeBefore('globex')).tenant).toBe('globex');

      const adminKey = await a.adminKeys.create({ scopes: ['tenants:read'], tenant: 'globex' });
      const scoped = new RoomkeyClient({ url: system.baseUrl, adminToken: adminKey.secret });
      expect((await scoped.admin.tenants.get('globex')).shortcode).toBe('globex');
      expect(await rejection(scoped.admin.apiKeys.create('globex', { environment: 'production' }))).toMatchObject({ code: 'forbidden', status: 403 });
      expect((await a.adminKeys.list()).items.map((k) => k.id)).toContain(adminKey.id);
      await a.adminKeys.revoke(adminKey.id);

      const events = await a.events.list('globex', { limit: 50 });
      expect(events.items.map((e) => e.type)).toEqual(expect.arrayContaining(['api-key.created', 'client.created']));
      await a.tenants.delete('globex');
      expect(await rejection(a.tenants.get('globex'))).toMatchObject({ status: 404 });
    });
  });

  describe('claim profiles through the SDK', () => {
    it('stores LiveKit credentials with client.admin.mediaPlatforms and mints a LiveKit-profile token over HTTP and NATS', async () => {
      const credentials = { apiKey: 'APIsdk', apiSecret: randomBytes(24).toString('base64url') };
      await operator.admin.mediaPlatforms.put('acme', 'livekit', credentials);
      for (const client of [http, overNats]) {
        const minted = await client.createAccessToken({ userId: 'lk-user', role: 'VIEWER', rooms: ['stage'], profile: 'livekit' });
        expect(minted).toMatchObject({ profile: 'livekit', role: 'VIEWER' });
        const { payload } = await jwtVerify(minted.accessToken, new TextEncoder().encode(credentials.apiSecret), { algorithms: ['HS256'] });
        expect(payload).toMatchObject({ iss: credentials.apiKey, sub: 'lk-user', video: { room: 'stage', roomJoin: true, canSubscribe: true, canPublish: false } });
      }
      await operator.admin.mediaPlatforms.delete('acme', 'livekit');
      const unconfigured = await rejection(http.createAccessToken({ userId: 'lk-user', role: 'VIEWER', rooms: ['stage'], profile: 'livekit' }));
      expect(unconfigured).toMatchObject({ code: 'invalid_request', status: 400 });
      expect(unconfigured.message).toMatch(/livekit/);
    });
  });

  describe('TokenProvider with real timers', () => {
    it('refreshes a short-lived token before it expires', async () => {
      const updates: string[] = [];
      const provider = new TokenProvider({
        loader: async () => (await http.createAccessToken({ userId: 'erin', role: 'VIEWER', ttlSeconds: 3 })).accessToken,
        onTokenUpdated: (token) => updates.push(token),
      });
      try {
        const first = await provider.getToken();
        const firstExp = JSON.parse(Buffer.from(first.split('.')[1], 'base64url').toString()).exp * 1000;
        await eventually(async () => updates.length >= 2, 8000, 50);
        // The refresh came before the first token expired, and the new one is valid.
        expect(Date.now()).toBeLessThan(firstExp);
        expect(updates[1]).not.toBe(first);
        expect((await http.verifyToken(await provider.getToken())).claims.sub).toBe('erin');
      } finally {
        provider.stop();
      }
    });
  });

  describe('TokenProvider with fake timers and tokens from the issuer', () => {
    afterEach(() => jest.useRealTimers());

    it('loads the next token when 80 % of the lifetime has passed, not before', async () => {
      // Real tokens first (real timers for the HTTP calls), then the clock is faked from now on.
      const tokens = [
        (await http.createAccessToken({ userId: 'fay', role: 'VIEWER', ttlSeconds: 60 })).accessToken,
        (await http.createAccessToken({ userId: 'fay', role: 'VIEWER', ttlSeconds: 60 })).accessToken,
      ];
      const exp = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).exp as number;
      jest.useFakeTimers({ now: exp(tokens[0]) * 1000 - 60_000, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      const served: string[] = [];
      const provider = new TokenProvider({ loader: async () => (served.push(tokens[served.length]), tokens[served.length - 1]) });
      try {
        expect(await provider.getToken()).toBe(tokens[0]);
        await jest.advanceTimersByTimeAsync(47_000);
        expect(served).toHaveLength(1);
        await jest.advanceTimersByTimeAsync(2_000);
        expect(served).toHaveLength(2);
        expect(await provider.getToken()).toBe(tokens[1]);
      } finally {
        provider.stop();
      }
      jest.useRealTimers();
      expect((await http.verifyToken(tokens[1])).claims.sub).toBe('fay');
    });
  });

  describe('RoomkeyVerifier over NATS', () => {
    let verifier: RoomkeyVerifier;

    beforeAll(async () => {
      verifier = new RoomkeyVerifier({ url: system.baseUrl, tenant: 'acme', nats });
      await verifier.start();
    });
    afterAll(() => verifier?.close());

    it('verifies locally, answers can(), and refuses another tenant’s token', async () => {
      const token = (await http.createAccessToken({ userId: 'frank', role: 'GUEST', rooms: ['r1'] })).accessToken;
      const claims = await verifier.verify(token);
      expect(claims.sub).toBe('frank');
      expect(verifier.can(claims, 'webrtc:join', 'r1')).toBe(true);
      expect(verifier.can(claims, 'webrtc:join', 'r2')).toBe(false);
      expect(verifier.can(claims, 'live:write', 'r1')).toBe(false);
      await admin(system).createTenant('initech');
      const otherKey = await admin(system).createApiKey('initech');
      const foreign = await new RoomkeyClient({ url: system.baseUrl, apiKey: otherKey.apiKey, apiSecret: otherKey.secret }).createAccessToken({ userId: 'frank', role: 'HOST' });
      expect(await rejection(verifier.verify(foreign.accessToken))).toMatchObject({ code: 'invalid_token', status: 401 });
      expect(verifier.status()).toMatchObject({ source: 'nats', connected: true, staleMs: 0 });
    });

    it('drops a revoked token and a revoked user’s earlier tokens within 1 s', async () => {
      const token = (await http.createAccessToken({ userId: 'gina', role: 'GUEST' })).accessToken;
      await verifier.verify(token);
      let since = Date.now();
      await http.revokeToken({ token });
      expect(await dropped(verifier, token, since)).toBeLessThan(1000);

      const henry = (await http.createAccessToken({ userId: 'henry', role: 'GUEST' })).accessToken;
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const henryLater = (await http.createAccessToken({ userId: 'henry', role: 'GUEST' })).accessToken;
      // The cut-off is the second the later token was issued in: the earlier one falls before it.
      const laterIat: number = JSON.parse(Buffer.from(henryLater.split('.')[1], 'base64url').toString()).iat;
      since = Date.now();
      await http.revokeUser('henry', new Date(laterIat * 1000));
      expect(await dropped(verifier, henry, since)).toBeLessThan(1000);
      await expect(verifier.verify(henryLater)).resolves.toMatchObject({ sub: 'henry' });
      expect(verifier.status().lastEventAt).not.toBeNull();
    });
  });

  describe('RoomkeyVerifier over the SSE revocation stream', () => {
    it('starts from the snapshot and drops a token revoked later within 1 s', async () => {
      const before = (await http.createAccessToken({ userId: 'jack', role: 'GUEST' })).accessToken;
      await http.revokeToken({ token: before });
      const verifier = new RoomkeyVerifier({ url: system.baseUrl, tenant: 'acme', apiKey: key.apiKey, apiSecret: key.secret });
      try {
        await verifier.start();
        expect(verifier.status()).toMatchObject({ source: 'sse', connected: true, staleMs: 0 });
        // Revoked before the verifier started: refused from the snapshot, no event needed.
        expect(await rejection(verifier.verify(before))).toMatchObject({ code: 'invalid_token' });
        const token = (await http.createAccessToken({ userId: 'jack', role: 'GUEST' })).accessToken;
        await verifier.verify(token);
        const since = Date.now();
        await http.revokeToken({ token });
        expect(await dropped(verifier, token, since)).toBeLessThan(1000);
      } finally {
        verifier.close();
      }
    });

    it('refuses to start with a wrong API secret', async () => {
      const verifier = new RoomkeyVerifier({ url: system.baseUrl, tenant: 'acme', apiKey: key.apiKey, apiSecret: 'wrong' });
      expect(await rejection(verifier.start())).toMatchObject({ code: 'unauthorized', status: 401 });
      verifier.close();
    });

    it('after its connection is cut and restored, applies a revocation made while it was away', async () => {
      const proxy = await startTcpProxy(Number(new URL(system.baseUrl).port));
      const verifier = new RoomkeyVerifier({
        url: proxy.url('http'),
        issuer: `${system.baseUrl}/realms/acme`,
        tenant: 'acme',
        apiKey: key.apiKey,
        apiSecret: key.secret,
        reconnectDelayMs: { initial: 100, max: 500 },
      });
      try {
        await verifier.start();
        const token = (await http.createAccessToken({ userId: 'kate', role: 'GUEST' })).accessToken;
        await verifier.verify(token);
        proxy.cut();
        await eventually(async () => !verifier.status().connected, 5000);
        await http.revokeToken({ token });
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(verifier.status().staleMs).toBeGreaterThan(0);
        proxy.restore();
        await dropped(verifier, token, Date.now(), 10_000);
        await eventually(async () => verifier.status().connected, 5000);
      } finally {
        verifier.close();
        await proxy.close();
      }
    });
  });

  describe('RoomkeyVerifier over NATS, cut and restored', () => {
    let proxy: TcpProxy;
    let viaProxy: NatsConnection;

    beforeAll(async () => {
      proxy = await startTcpProxy(Number(new URL(system.natsUrl).port));
      viaProxy = await connect({
        servers: proxy.url('nats'),
        user: users.clientUser,
        pass: users.clientPassword,
        reconnectTimeWait: 100,
        maxReconnectAttempts: -1,
        ignoreClusterUpdates: true,
      });
    });
    afterAll(async () => {
      await viaProxy?.close();
      await proxy?.close();
    });

    it('catches up from the snapshot on reconnect: a revocation made while it was away applies', async () => {
      const verifier = new RoomkeyVerifier({ url: system.baseUrl, tenant: 'acme', nats: viaProxy, apiKey: key.apiKey, apiSecret: key.secret });
      try {
        await verifier.start();
        expect(verifier.status()).toMatchObject({ source: 'nats', connected: true });
        const token = (await http.createAccessToken({ userId: 'liam', role: 'GUEST' })).accessToken;
        await verifier.verify(token);
        proxy.cut();
        await eventually(async () => !verifier.status().connected, 5000);
        await http.revokeToken({ token });
        // The event went out while the verifier was away: it has not heard it.
        await new Promise((resolve) => setTimeout(resolve, 300));
        await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'liam' });
        proxy.restore();
        await dropped(verifier, token, Date.now(), 10_000);
        await eventually(async () => verifier.status().connected, 5000);
        // And live events flow again after the reconnect.
        const next = (await http.createAccessToken({ userId: 'liam', role: 'GUEST' })).accessToken;
        await verifier.verify(next);
        const since = Date.now();
        await http.revokeToken({ token: next });
        expect(await dropped(verifier, next, since)).toBeLessThan(1000);
      } finally {
        verifier.close();
      }
    });
  });

  describe('webhooks through the SDK', () => {
    it('registers an endpoint, and client.verifyWebhook checks a real signed token.revoked delivery', async () => {
      const received: { body: string; headers: Record<string, string | string[] | undefined> }[] = [];
      const receiver = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk) => (body += chunk));
        request.on('end', () => {
          received.push({ body, headers: request.headers });
          response.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      try {
        const hook = await operator.admin.webhooks.create('acme', { url: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`, events: ['token.revoked'] });
        expect(hook.secret).toMatch(/^whsec_/);
        expect((await operator.admin.webhooks.list('acme')).items.map((w) => w.id)).toContain(hook.id);
        const token = (await http.createAccessToken({ userId: 'mia', role: 'GUEST' })).accessToken;
        const { jti } = await http.revokeToken({ token });
        await eventually(async () => received.length > 0, 15_000, 50);
        const event = http.verifyWebhook<{ type: string; jti: string; tenant: string }>(received[0].body, received[0].headers, hook.secret);
        expect(event).toMatchObject({ type: 'token.revoked', jti, tenant: 'acme' });
        expect(() => http.verifyWebhook(received[0].body.replace(jti, 'other'), received[0].headers, hook.secret)).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
        await eventually(async () => (await operator.admin.webhooks.deliveries('acme', hook.id)).items.some((d) => d.state === 'delivered'), 15_000, 100);
        await operator.admin.webhooks.delete('acme', hook.id);
        expect(await rejection(operator.admin.webhooks.deliveries('acme', hook.id))).toMatchObject({ code: 'not_found', status: 404 });
      } finally {
        await new Promise((resolve) => receiver.close(resolve));
      }
    });
  });

  describe('RoomkeyVerifier JWKS cache', () => {
    let proxy: Server;
    let proxyUrl: string;
    let certsFetches = 0;
    let certsDown = false;

    beforeAll(async () => {
      // A front for the gateway whose JWKS can be taken down, counting JWKS fetches.
      proxy = createServer(async (request, response) => {
        if (request.url?.endsWith('/protocol/openid-connect/certs')) {
          certsFetches++;
          if (certsDown) return void response.writeHead(503).end('{"error":"unavailable","message":"down"}');
        }
        const answer = await fetch(`${system.baseUrl}${request.url}`, { headers: { accept: 'application/json' } });
        response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(await answer.text());
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
    });
    afterAll(() => new Promise((resolve) => proxy.close(resolve)));

    it('fetches at most once per interval under an unknown-kid flood, keeps its last good keys while the JWKS is down', async () => {
      await admin(system).createTenant('hooli');
      const hooliKey = await admin(system).createApiKey('hooli');
      const hooli = new RoomkeyClient({ url: system.baseUrl, apiKey: hooliKey.apiKey, apiSecret: hooliKey.secret });
      const verifier = new RoomkeyVerifier({ url: proxyUrl, tenant: 'hooli', issuer: `${system.baseUrl}/realms/hooli`, jwksRefetchIntervalMs: 2000 });
      await verifier.start();
      expect(verifier.status()).toMatchObject({ source: 'none', jwksFetches: 1 });
      const good = (await hooli.createAccessToken({ userId: 'ian', role: 'HOST' })).accessToken;
      await verifier.verify(good);

      // 300 tokens with kids nobody knows, as fast as they come: one JWKS fetch at most.
      const [header, payload, signature] = good.split('.');
      const forged = (i: number) => {
        const h = JSON.parse(Buffer.from(header, 'base64url').toString());
        return `${Buffer.from(JSON.stringify({ ...h, kid: `unknown-${i}` })).toString('base64url')}.${payload}.${signature}`;
      };
      const before = certsFetches;
      const results = await Promise.allSettled(Array.from({ length: 300 }, (_, i) => verifier.verify(forged(i))));
      expect(results.every((r) => r.status === 'rejected' && (r.reason as RoomkeyError).code === 'invalid_token')).toBe(true);
      expect(certsFetches - before).toBeLessThanOrEqual(1);

      // JWKS down, and a key the verifier has never seen: that token is refused, the known key still works.
      certsDown = true;
      await operator.admin.signingKeys.rotate('hooli');
      await operator.admin.signingKeys.rotate('hooli');
      const newer = (await hooli.createAccessToken({ userId: 'ian', role: 'HOST' })).accessToken;
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const refused = await rejection(verifier.verify(newer));
      expect(refused.code).toBe('invalid_token');
      expect(refused.message).toMatch(/JWKS unavailable/);
      await expect(verifier.verify(good)).resolves.toMatchObject({ sub: 'ian' });

      // Back up: after the interval, the new key is fetched and accepted.
      certsDown = false;
      await new Promise((resolve) => setTimeout(resolve, 2100));
      await expect(verifier.verify(newer)).resolves.toMatchObject({ sub: 'ian' });
      verifier.close();
    });

    it('start() rejects clearly when the JWKS cannot be fetched', async () => {
      const verifier = new RoomkeyVerifier({ url: system.baseUrl, tenant: 'no-such-tenant' });
      expect(await rejection(verifier.start())).toMatchObject({ code: 'unavailable' });
    });
  });
});
