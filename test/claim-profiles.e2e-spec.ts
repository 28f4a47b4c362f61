/**
 * Claim profiles end to end (contract §3.1): a tenant stores its LiveKit, GetStream and VideoSDK
 * credentials; CreateAccessToken, guests, anonymous tokens, invite redemption and the login accept
 * answer in each platform's own token shape. LiveKit tokens are checked by livekit-server-sdk's own
 * TokenVerifier, GetStream and VideoSDK tokens by jsonwebtoken with the stored secret; revocation,
 * verify and the audit trail still hold on roomkey's side.
 */
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import jwt from 'jsonwebtoken';
import { TokenVerifier } from 'livekit-server-sdk';
import { createHash, randomBytes } from 'node:crypto';
import { admin, eventually, http, startAuthorization, startSystem, testDatabases, type RoomkeySystem } from './support/harness';

type Credentials = { apiKey: string; secret: string };
const LOGIN_URL = 'https://login.acme.test/login';
const REDIRECT_URI = 'https://app.acme.test/callback';

const platform = (prefix: string) => ({ apiKey: `${prefix}${randomBytes(6).toString('hex')}`, apiSecret: randomBytes(24).toString('base64url') });
const LIVEKIT = platform('APIlk');
const GETSTREAM = platform('gs');
const VIDEOSDK = platform('vsdk');

/** jsonwebtoken with the platform's secret, as GetStream's and VideoSDK's servers check their tokens. */
const verifyHs256 = (token: string, secret: string) => jwt.verify(token, secret, { algorithms: ['HS256'] }) as Record<string, any>;

describe.each(testDatabases())('Claim profiles: LiveKit, GetStream, VideoSDK (%s)', (database) => {
  let system: RoomkeySystem;
  let nats: NatsConnection;
  let production: Credentials;
  let development: Credentials;
  let bare: Credentials; // tenant "bare": no media platform stored; VIEWER has no permission at all
  const events: Array<{ subject: string; data: any }> = [];
  let subscription: Subscription;

  beforeAll(async () => {
    system = await startSystem({ database });
    await admin(system).createTenant('acme', { loginUrl: LOGIN_URL, guestAccess: true, anonymousAccess: true });
    await admin(system).createTenant('bare');
    production = await admin(system).createApiKey('acme', 'production');
    development = await admin(system).createApiKey('acme', 'development');
    bare = await admin(system).createApiKey('bare');
    nats = await connect({ servers: system.natsUrl });
    subscription = nats.subscribe('roomkey.v1.events.>', {
      callback: (_error, message) => {
        events.push({ subject: message.subject, data: message.json() });
      },
    });
    await nats.flush();
    for (const [name, body] of [['livekit', LIVEKIT], ['getstream', GETSTREAM], ['videosdk', VIDEOSDK]] as const) {
      const stored = await admin(system).call('PUT', `/admin/tenants/acme/media-platforms/${name}`, body);
      expect(stored.status).toBe(204);
    }
  });

  afterAll(async () => {
    subscription?.unsubscribe();
    await nats?.close();
    await system?.stop();
  });

  const createToken = (body: Record<string, unknown>, key: Credentials = production) => http(system, 'POST', '/v1/access-tokens', { body, basic: key });
  const verifyViaApi = (token: string, key: Credentials = production) => http(system, 'POST', '/v1/tokens/verify', { basic: key, body: { token } });
  const livekit = new TokenVerifier(LIVEKIT.apiKey, LIVEKIT.apiSecret);

  describe('media-platform credentials (admin)', () => {
    it('are stored with 204, never returned, announced without the secret, and checked', async () => {
      const tenant = await admin(system).call('GET', '/admin/tenants/acme');
      expect(JSON.stringify(tenant.body)).not.toContain(LIVEKIT.apiSecret);
      const updated = events.filter((e) => e.subject === 'roomkey.v1.events.acme.media-platform.updated').map((e) => e.data);
      expect(updated.map((e) => e.platform).sort()).toEqual(['getstream', 'livekit', 'videosdk']);
      expect(updated.every((e) => e.actor === 'bootstrap')).toBe(true);
      expect(JSON.stringify(updated)).not.toContain(LIVEKIT.apiSecret);

      const put = (path: string, body: unknown) => admin(system).call('PUT', path, body);
      const badPlatform = await put('/admin/tenants/acme/media-platforms/zoom', LIVEKIT);
      expect(badPlatform.status).toBe(400);
      expect(badPlatform.body).toMatchObject({ error: 'invalid_request', message: expect.stringContaining('platform') });
      const noSecret = await put('/admin/tenants/acme/media-platforms/livekit', { apiKey: 'x' });
      expect(noSecret.status).toBe(400);
      expect(noSecret.body.message).toContain('apiSecret');
      expect((await put('/admin/tenants/nobody/media-platforms/livekit', LIVEKIT)).status).toBe(404);
      expect((await http(system, 'PUT', '/admin/tenants/acme/media-platforms/livekit', { body: LIVEKIT })).status).toBe(401);

      const readOnly = await admin(system).call('POST', '/admin/admin-keys', { scopes: ['tenants:read'] });
      const forbidden = await http(system, 'PUT', '/admin/tenants/acme/media-platforms/livekit', { body: LIVEKIT, bearer: readOnly.body.secret });
      expect(forbidden.status).toBe(403);
      expect((await admin(system).call('DELETE', '/admin/tenants/bare/media-platforms/livekit')).status).toBe(404);
    });
  });

  describe('LiveKit', () => {
    it('CreateAccessToken: a HOST token passes livekit-server-sdk’s TokenVerifier with publish, subscribe and admin grants', async () => {
      const answer = await createToken({ userId: 'alice', role: 'HOST', rooms: ['stage'], name: 'Alice', metadata: { seat: 3 }, profile: 'livekit' });
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600, role: 'HOST', profile: 'livekit' });
      const grants = await livekit.verify(answer.body.accessToken);
      expect(grants).toMatchObject({ iss: LIVEKIT.apiKey, sub: 'alice', name: 'Alice', metadata: '{"seat":3}', jti: expect.any(String) });
      expect(grants.video).toEqual({
        room: 'stage',
        roomJoin: true,
        canSubscribe: true,
        canPublish: true,
        canPublishData: true,
        canUpdateOwnMetadata: true,
        roomAdmin: true,
        roomRecord: true,
        ingressAdmin: true,
      });
      expect(grants.exp! - grants.nbf!).toBe(3600);
      await expect(new TokenVerifier(LIVEKIT.apiKey, 'another-secret').verify(answer.body.accessToken)).rejects.toThrow();
    });

    it('a VIEWER may subscribe only; a development HOST gets no broadcast or admin rights', async () => {
      const viewer = await livekit.verify((await createToken({ userId: 'vic', role: 'VIEWER', rooms: ['stage'], profile: 'livekit' })).body.accessToken);
      expect(viewer.video).toMatchObject({ room: 'stage', roomJoin: true, canSubscribe: true, canPublish: false, canPublishData: false, roomAdmin: false, roomRecord: false });

      const dev = await createToken({ userId: 'dora', role: 'HOST', rooms: ['stage'], profile: 'livekit' }, development);
      expect(dev.status).toBe(201);
      expect(dev.body.permissions).not.toContain('broadcast:manage');
      const devGrants = await livekit.verify(dev.body.accessToken);
      expect(devGrants.video).toMatchObject({ canPublish: true, canSubscribe: true, roomAdmin: false, roomRecord: false, ingressAdmin: false });
    });

    it('refuses several rooms (400 naming rooms)', async () => {
      const answer = await createToken({ userId: 'alice', role: 'HOST', rooms: ['stage', 'lobby'], profile: 'livekit' });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: 'invalid_request', message: expect.stringContaining("'rooms'") });
    });
  });

  describe('GetStream', () => {
    it('carries user_id, the mapped call role, call_cids per room, iat, exp and jti, and verifies with the stored secret', async () => {
      const host = await createToken({ userId: 'alice', role: 'HOST', rooms: ['stage', 'lobby'], profile: 'getstream' });
      expect(host.status).toBe(201);
      const claims = verifyHs256(host.body.accessToken, GETSTREAM.apiSecret);
      expect(claims).toEqual({ user_id: 'alice', role: 'admin', call_cids: ['default:stage', 'default:lobby'], iat: expect.any(Number), exp: expect.any(Number), jti: expect.any(String) });
      expect(claims.exp - claims.iat).toBe(3600);
      expect(() => verifyHs256(host.body.accessToken, 'not-the-secret')).toThrow();

      const role = async (r: string, key = production) => verifyHs256((await createToken({ userId: 'u', role: r, rooms: ['stage'], profile: 'getstream' }, key)).body.accessToken, GETSTREAM.apiSecret).role;
      expect(await role('COHOST')).toBe('host');
      expect(await role('CONTRIBUTOR')).toBe('user');
      expect(await role('GUEST')).toBe('user');
      expect(await role('VIEWER')).toBe('viewer');
      expect(await role('HOST', development)).toBe('host');
    });

    it('anonymous viewers are "!anon" viewers of their calls', async () => {
      const answer = await http(system, 'POST', '/v1/anonymous-tokens', { basic: production, body: { rooms: ['stage'], profile: 'getstream' } });
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({ expiresIn: 3600, profile: 'getstream' });
      expect(verifyHs256(answer.body.accessToken, GETSTREAM.apiSecret)).toMatchObject({ user_id: '!anon', role: 'viewer', call_cids: ['default:stage'] });
    });
  });

  describe('VideoSDK', () => {
    it('carries apikey, permissions, version 2, roomId, participantId and roles ["rtc"], and verifies with the stored secret', async () => {
      const host = await createToken({ userId: 'alice', role: 'HOST', rooms: ['stage'], profile: 'videosdk' });
      expect(host.status).toBe(201);
      expect(verifyHs256(host.body.accessToken, VIDEOSDK.apiSecret)).toEqual({
        apikey: VIDEOSDK.apiKey,
        permissions: ['allow_join', 'allow_mod'],
        version: 2,
        roomId: 'stage',
        participantId: 'alice',
        roles: ['rtc'],
        iat: expect.any(Number),
        exp: expect.any(Number),
        jti: expect.any(String),
      });
      const viewer = verifyHs256((await createToken({ userId: 'vic', role: 'VIEWER', profile: 'videosdk' })).body.accessToken, VIDEOSDK.apiSecret);
      expect(viewer.permissions).toEqual(['ask_join']);
      expect(viewer).not.toHaveProperty('roomId');
      const contributor = verifyHs256((await createToken({ userId: 'cy', role: 'CONTRIBUTOR', profile: 'videosdk' })).body.accessToken, VIDEOSDK.apiSecret);
      expect(contributor.permissions).toEqual(['allow_join']);
    });
  });

  describe('refusals', () => {
    it('a profile whose credentials the tenant has not stored: 400 naming the profile', async () => {
      const answer = await createToken({ userId: 'alice', role: 'HOST', profile: 'livekit' }, bare);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: 'invalid_request', message: expect.stringContaining("Profile 'livekit'") });
      const unknown = await createToken({ userId: 'alice', role: 'HOST', profile: 'zoom' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.message).toContain('profile');
    });

    it('a role the profile cannot express (the tenant’s matrix gives VIEWER nothing): 400', async () => {
      await admin(system).call('PUT', '/admin/tenants/bare/media-platforms/videosdk', VIDEOSDK);
      const patched = await admin(system).call('PATCH', '/admin/tenants/bare', { roleMatrix: { VIEWER: [] } });
      expect(patched.status).toBe(200);
      let answer = await createToken({ userId: 'vic', role: 'VIEWER', profile: 'videosdk' }, bare);
      await eventually(async () => {
        answer = await createToken({ userId: 'vic', role: 'VIEWER', profile: 'videosdk' }, bare);
        return answer.status === 400;
      }, 5000);
      expect(answer.body).toMatchObject({ error: 'invalid_request', message: expect.stringContaining("cannot express role 'VIEWER'") });
      expect((await createToken({ userId: 'vic', role: 'VIEWER' }, bare)).status).toBe(201);
    });
  });

  describe('guests, invites and the NATS API', () => {
    it('a guest gets a LiveKit token as its unique id that may publish but not administer', async () => {
      const answer = await http(system, 'POST', '/v1/guests', { basic: production, body: { userId: 'gus', name: 'Gus', rooms: ['stage'], profile: 'livekit' } });
      expect(answer.status).toBe(201);
      expect(answer.body.profile).toBe('livekit');
      const grants = await livekit.verify(answer.body.accessToken);
      expect(grants.sub).toBe(answer.body.user.id);
      expect(grants.video).toMatchObject({ room: 'stage', canPublish: true, roomAdmin: false });
    });

    it('an invite redeemed with profile videosdk gives the guest allow_join in the inviter’s room', async () => {
      const host = await createToken({ userId: 'host', role: 'HOST', rooms: ['stage'] });
      const invite = await http(system, 'POST', '/v1/invites', { bearer: host.body.accessToken, body: { role: 'GUEST' } });
      expect(invite.status).toBe(201);
      const redeemed = await http(system, 'POST', `/v1/invites/${invite.body.inviteCode}/redeem`, { body: { name: 'Gwen', profile: 'videosdk' } });
      expect(redeemed.status).toBe(201);
      expect(redeemed.body.profile).toBe('videosdk');
      expect(verifyHs256(redeemed.body.accessToken, VIDEOSDK.apiSecret)).toMatchObject({ permissions: ['allow_join'], roomId: 'stage', participantId: redeemed.body.user.id });
    });

    it('answers roomkey.v1.tokens.create with a profile', async () => {
      const reply = (await nats.request('roomkey.v1.tokens.create', JSON.stringify({ ...production, userId: 'nat', role: 'GUEST', rooms: ['stage'], profile: 'livekit' }), { timeout: 5000 })).json<any>();
      expect(reply).toMatchObject({ ok: true, profile: 'livekit', role: 'GUEST' });
      expect((await livekit.verify(reply.accessToken)).video).toMatchObject({ room: 'stage', canPublish: true });
    });
  });

  describe('the login accept', () => {
    const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

    async function login(accept: Record<string, unknown>) {
      const client = await admin(system).call('POST', '/admin/tenants/acme/clients', { public: true, grantTypes: ['authorization_code'], redirectUris: [REDIRECT_URI] });
      const { verifier, challenge } = await startAuthorization(system, { tenant: 'acme', clientId: client.body.clientId, redirectUri: REDIRECT_URI });
      const accepted = await http(system, 'PUT', `/v1/login-requests/${challenge}/accept`, { basic: production, body: accept });
      return { accepted, clientId: client.body.clientId as string, verifier };
    }

    it('stores the profile; the token endpoint answers with that platform’s access token', async () => {
      const { accepted, clientId, verifier } = await login({ subject: 'alice', role: 'COHOST', rooms: ['stage'], profile: 'livekit' });
      expect(accepted.status).toBe(200);
      const code = new URL(accepted.body.redirectTo).searchParams.get('code')!;
      const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier, client_id: clientId });
      const response = await fetch(`${system.baseUrl}/realms/acme/protocol/openid-connect/token`, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      const tokens = (await response.json()) as Record<string, any>;
      expect(response.status).toBe(200);
      expect(tokens).toMatchObject({ token_type: 'Bearer', profile: 'livekit' });
      const grants = await livekit.verify(tokens.access_token);
      expect(grants).toMatchObject({ sub: 'alice', video: { room: 'stage', roomAdmin: true, roomRecord: false, canPublish: true } });
    });

    it('refuses at once what the profile cannot carry', async () => {
      const several = await login({ subject: 'alice', rooms: ['a', 'b'], role: 'HOST', profile: 'videosdk' });
      expect(several.accepted.status).toBe(400);
      expect(several.accepted.body.message).toContain("'rooms'");
    });
  });

  describe('revocation and audit', () => {
    it('verify knows a profile token (active + claims); once revoked every verify refuses it and the event names its jti', async () => {
      const issued = await createToken({ userId: 'rita', role: 'GUEST', rooms: ['stage'], profile: 'livekit' });
      const { jti } = await livekit.verify(issued.body.accessToken);
      const verified = await verifyViaApi(issued.body.accessToken);
      expect(verified.status).toBe(200);
      expect(verified.body).toEqual({ active: true, claims: expect.objectContaining({ profile: 'livekit', tid: 'acme', jti, sub: 'rita', video: expect.objectContaining({ room: 'stage' }) }) });
      expect((await verifyViaApi(issued.body.accessToken, bare)).status).toBe(401);

      const revoked = await http(system, 'POST', '/v1/tokens/revoke', { basic: production, body: { token: issued.body.accessToken } });
      expect(revoked.status).toBe(200);
      expect(revoked.body).toEqual({ revoked: true, jti });
      await eventually(async () => (await verifyViaApi(issued.body.accessToken)).status === 401, 1000);
      expect((await verifyViaApi(issued.body.accessToken)).body).toEqual({ error: 'invalid_token', message: 'Token is invalid or expired' });
      await eventually(async () => events.some((e) => e.data.type === 'token.revoked' && e.data.jti === jti), 2000);

      const gs = await createToken({ userId: 'rita', role: 'VIEWER', profile: 'getstream' });
      const gsJti = verifyHs256(gs.body.accessToken, GETSTREAM.apiSecret).jti;
      expect((await http(system, 'POST', '/v1/tokens/revoke', { basic: production, body: { jti: gsJti } })).status).toBe(200);
      await eventually(async () => (await verifyViaApi(gs.body.accessToken)).status === 401, 1000);
    });

    it('introspection knows profile tokens; the audit events name their jti', async () => {
      const client = await admin(system).call('POST', '/admin/tenants/acme/clients', { grantTypes: ['client_credentials'] });
      const guest = await http(system, 'POST', '/v1/guests', { basic: production, body: { rooms: ['stage'], profile: 'videosdk' } });
      const { jti } = verifyHs256(guest.body.accessToken, VIDEOSDK.apiSecret);
      const form = new URLSearchParams({ token: guest.body.accessToken, client_id: client.body.clientId, client_secret: client.body.clientSecret });
      const introspected = await fetch(`${system.baseUrl}/realms/acme/protocol/openid-connect/token/introspect`, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(await introspected.json()).toMatchObject({ active: true, profile: 'videosdk', tid: 'acme', jti, participantId: guest.body.user.id });
      await eventually(async () => events.some((e) => e.data.type === 'guest.created' && e.data.jti === jti), 2000);

      const forged = jwt.sign({ apikey: VIDEOSDK.apiKey, permissions: ['allow_join'], version: 2, roles: ['rtc'], jti: 'forged' }, 'not-the-secret', { algorithm: 'HS256', expiresIn: 60 });
      const refused = await fetch(`${system.baseUrl}/realms/acme/protocol/openid-connect/token/introspect`, {
        method: 'POST',
        body: new URLSearchParams({ token: forged, client_id: client.body.clientId, client_secret: client.body.clientSecret }),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(await refused.json()).toEqual({ active: false });
      expect((await verifyViaApi(forged)).status).toBe(401);
    });

    it('replaced credentials sign the next tokens; removed ones refuse the profile', async () => {
      const next = platform('APIlk2');
      expect((await admin(system).call('PUT', '/admin/tenants/acme/media-platforms/livekit', next)).status).toBe(204);
      await eventually(async () => {
        const answer = await createToken({ userId: 'alice', role: 'GUEST', rooms: ['stage'], profile: 'livekit' });
        return new TokenVerifier(next.apiKey, next.apiSecret).verify(answer.body.accessToken).then(() => true, () => false);
      }, 5000);
      expect((await admin(system).call('DELETE', '/admin/tenants/acme/media-platforms/livekit')).status).toBe(204);
      await eventually(async () => (await createToken({ userId: 'alice', role: 'GUEST', rooms: ['stage'], profile: 'livekit' })).status === 400, 5000);
      expect(events.some((e) => e.data.type === 'media-platform.removed' && e.data.platform === 'livekit')).toBe(true);
      // Put it back for the other tests' sake (order-independent suites).
      expect((await admin(system).call('PUT', '/admin/tenants/acme/media-platforms/livekit', LIVEKIT)).status).toBe(204);
    });
  });
});
