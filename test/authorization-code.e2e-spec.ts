/**
 * Authorization code + PKCE with login delegation, and refresh-token rotation, end to end:
 * openid-client as the client, this test as the partner's login app, the real services on NATS with
 * two issuer replicas, tokens verified against the JWKS.
 */
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { TokenEndpointService } from '../apps/issuer/oauth/token-endpoint.service';
import { admin, http, startSystem, testDatabases, type RoomkeySystem } from './support/harness';
import { NO_REQUEST } from '@roomkey/nats';

const LOGIN_URL = 'https://login.acme.test/login';
const REDIRECT_URI = 'https://app.acme.test/callback';
const FORM = 'application/x-www-form-urlencoded';

describe.each(testDatabases())('authorization code + PKCE (%s)', (database) => {
  let system: RoomkeySystem;
  let prodKey: { apiKey: string; secret: string };
  let spa: { clientId: string };
  let other: { clientId: string };
  const issuer = () => `${system.baseUrl}/realms/acme`;

  beforeAll(async () => {
    system = await startSystem({ database, issuers: 2 });
    await admin(system).createTenant('acme', { loginUrl: LOGIN_URL });
    prodKey = await admin(system).createApiKey('acme', 'production');
    const client = (body: Record<string, unknown>) => admin(system).call('POST', '/admin/tenants/acme/clients', body).then((a) => a.body);
    spa = await client({ public: true, grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [REDIRECT_URI], scopes: ['rooms', 'profile'] });
    other = await client({ public: true, grantTypes: ['authorization_code'], redirectUris: [REDIRECT_URI] });
  });

  afterAll(async () => {
    await system?.stop();
  });

  const discover = (clientId: string) => oidc.discovery(new URL(issuer()), clientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  const loginApp = {
    get: (challenge: string, key = prodKey) => http(system, 'GET', `/v1/login-requests/${challenge}`, { basic: key }),
    accept: (challenge: string, body: unknown, key = prodKey) => http(system, 'PUT', `/v1/login-requests/${challenge}/accept`, { basic: key, body }),
    reject: (challenge: string, body: unknown) => http(system, 'PUT', `/v1/login-requests/${challenge}/reject`, { basic: prodKey, body }),
  };

  /** The browser's first hop: roomkey's authorization endpoint, answered with a redirect or a page. */
  async function authorize(params: Record<string, string>): Promise<Response> {
    const url = new URL(`${issuer()}/protocol/openid-connect/auth`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return fetch(url, { redirect: 'manual' });
  }

  async function startLogin(clientId = spa.clientId, extra: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const config = await discover(clientId);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'rooms',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      ...extra,
    });
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(LOGIN_URL);
    return { config, verifier, state, challenge: location.searchParams.get('login_challenge')! };
  }

  async function loginAs(subject: string, extra: Record<string, unknown> = {}, clientId = spa.clientId) {
    const started = await startLogin(clientId);
    const accepted = await loginApp.accept(started.challenge, { subject, ...extra });
    expect(accepted.status).toBe(200);
    return { ...started, callback: new URL(accepted.body.redirectTo) };
  }

  const verifyViaApi = (token: string) => http(system, 'POST', '/v1/tokens/verify', { basic: prodKey, body: { token } });

  it('walks the whole flow with openid-client and verifies the tokens against the JWKS', async () => {
    const { config, verifier, state, challenge } = await startLogin();
    const details = await loginApp.get(challenge);
    expect(details.status).toBe(200);
    expect(details.body).toMatchObject({ challenge, tenant: 'acme', clientId: spa.clientId, redirectUri: REDIRECT_URI, requestedScope: ['rooms'], state: 'created' });

    const accepted = await loginApp.accept(challenge, { subject: 'alice', role: 'HOST', rooms: ['town-hall'] });
    expect(accepted.status).toBe(200);
    const callback = new URL(accepted.body.redirectTo);
    expect(callback.searchParams.get('state')).toBe(state);
    expect(callback.searchParams.get('iss')).toBe(issuer());

    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const jwks = createRemoteJWKSet(new URL(`${issuer()}/protocol/openid-connect/certs`));
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: issuer(), typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: 'alice', role: 'HOST', rooms: ['town-hall'], kind: 'user', client_id: spa.clientId, scope: 'rooms', tid: 'acme' });
    expect(payload.perms).toContain('broadcast:manage');
    expect((await loginApp.get(challenge)).body.state).toBe('code_used');

    // Refresh: a new access token and a new refresh token each time; narrowing scope is allowed.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(decodeJwt(refreshed.access_token)).toMatchObject({ sub: 'alice', role: 'HOST' });
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!, { scope: 'rooms profile' })).rejects.toMatchObject({ error: 'invalid_scope' });
  });

  it('rotates refresh tokens across replicas and revokes the family when an old one is reused', async () => {
    const { config, verifier, state, callback } = await loginAs('bob', { role: 'GUEST' });
    const first = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    const [replicaA, replicaB] = system.issuers.map((issuer) => issuer.get(TokenEndpointService));
    const refresh = (replica: TokenEndpointService, token: string) =>
      replica.exchange({ tenant: 'acme', params: { grant_type: 'refresh_token', refresh_token: token, client_id: spa.clientId } }, NO_REQUEST);

    const second = await refresh(replicaA, first.refresh_token!);
    const third = await refresh(replicaB, second.refresh_token!);
    expect(new Set([first.refresh_token, second.refresh_token, third.refresh_token]).size).toBe(3);
    for (const token of [first.access_token, second.access_token, third.access_token]) expect((await verifyViaApi(token)).status).toBe(200);

    // Replica A sees the reuse of a token that replica B has already rotated past.
    await expect(refresh(replicaA, second.refresh_token!)).rejects.toMatchObject({ code: 'invalid_grant' });
    await expect(refresh(replicaB, third.refresh_token!)).rejects.toMatchObject({ code: 'invalid_grant' });
    for (const token of [first.access_token, second.access_token, third.access_token]) {
      expect((await verifyViaApi(token)).body).toEqual({ error: 'invalid_token', message: 'Token is invalid or expired' });
    }
  });

  it('refuses a wrong, missing or other-client verifier and a code used twice (revoking what it issued)', async () => {
    const tokenEndpoint = `${issuer()}/protocol/openid-connect/token`;
    const exchange = (params: Record<string, string>) => http(system, 'POST', new URL(tokenEndpoint).pathname, { rawBody: new URLSearchParams(params).toString(), contentType: FORM });

    const wrong = await loginAs('carol');
    const code = wrong.callback.searchParams.get('code')!;
    const base = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id: spa.clientId };
    const cases: Array<[string, Record<string, string>]> = [
      ['wrong verifier', { ...base, code_verifier: oidc.randomPKCECodeVerifier() }],
      ['missing verifier', base],
      ['redirect URI one character off', { ...base, code_verifier: wrong.verifier, redirect_uri: `${REDIRECT_URI}x` }],
      ['code of another client', { ...base, client_id: other.clientId, code_verifier: wrong.verifier }],
      ['no code', { grant_type: 'authorization_code', client_id: spa.clientId, code_verifier: wrong.verifier, redirect_uri: REDIRECT_URI }],
    ];
    for (const [name, params] of cases) {
      const answer = await exchange(params);
      expect({ name, status: answer.status, error: answer.body.error }).toEqual({ name, status: 400, error: name === 'no code' ? 'invalid_request' : 'invalid_grant' });
    }

    // The right verifier still works once (failed attempts did not consume the code)...
    const good = await exchange({ ...base, code_verifier: wrong.verifier });
    expect(good.status).toBe(200);
    // ...and a second use fails and revokes the tokens of the first.
    const again = await exchange({ ...base, code_verifier: wrong.verifier });
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_grant');
    expect((await verifyViaApi(good.body.access_token)).status).toBe(401);
    const refreshAfter = await exchange({ grant_type: 'refresh_token', refresh_token: good.body.refresh_token, client_id: spa.clientId });
    expect(refreshAfter.body.error).toBe('invalid_grant');
  });

  it('shows a page instead of redirecting for an unknown client or an unregistered redirect URI', async () => {
    const challenge = await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier());
    const base = { response_type: 'code', client_id: spa.clientId, redirect_uri: REDIRECT_URI, code_challenge: challenge, code_challenge_method: 'S256', state: 'xyz' };
    for (const params of [
      { ...base, client_id: 'rkc_unknown' },
      { ...base, redirect_uri: `${REDIRECT_URI}/` },
      { ...base, redirect_uri: 'https://evil.test/callback' },
      { ...base, client_id: '' },
    ]) {
      const response = await authorize(params);
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(await response.text()).toContain('Authorization error');
    }
  });

  it('redirects other authorization errors to the client with error and state', async () => {
    const challenge = await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier());
    const base = { response_type: 'code', client_id: spa.clientId, redirect_uri: REDIRECT_URI, code_challenge: challenge, code_challenge_method: 'S256', state: 'st-1' };
    const cases: Array<[Record<string, string>, string]> = [
      [{ ...base, code_challenge: '' }, 'invalid_request'],
      [Object.fromEntries(Object.entries(base).filter(([k]) => k !== 'code_challenge')), 'invalid_request'],
      [{ ...base, code_challenge_method: 'plain' }, 'invalid_request'],
      [Object.fromEntries(Object.entries(base).filter(([k]) => k !== 'code_challenge_method')), 'invalid_request'],
      [{ ...base, code_challenge: 'short' }, 'invalid_request'],
      [{ ...base, response_type: 'token' }, 'unsupported_response_type'],
      [{ ...base, scope: 'admin' }, 'invalid_scope'],
    ];
    for (const [params, error] of cases) {
      const response = await authorize(params);
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get('location')!);
      expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
      expect({ params, error: location.searchParams.get('error') }).toEqual({ params, error });
      expect(location.searchParams.get('state')).toBe('st-1');
      expect(location.searchParams.get('error_description')).toEqual(expect.any(String));
    }
  });

  it('lets the login app reject, and refuses unknown, used or foreign challenges and bad accepts', async () => {
    const rejected = await startLogin();
    const answer = await loginApp.reject(rejected.challenge, { error: 'access_denied', error_description: 'User cancelled' });
    expect(answer.status).toBe(200);
    const location = new URL(answer.body.redirectTo);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe(rejected.state);
    expect((await loginApp.accept(rejected.challenge, { subject: 'x' })).status).toBe(409);

    const unknown = 'A'.repeat(43);
    expect((await loginApp.accept(unknown, { subject: 'x' })).status).toBe(404);
    expect((await loginApp.get('not-a-challenge')).status).toBe(404);

    const open = await startLogin();
    const badRole = await loginApp.accept(open.challenge, { subject: 'x', role: 'OWNER' });
    expect(badRole.status).toBe(400);
    expect(badRole.body.message).toContain("'role'");
    expect((await loginApp.accept(open.challenge, { subject: '' })).status).toBe(400);
    expect((await loginApp.accept(open.challenge, { subject: 'x', rooms: ['bad room'] })).status).toBe(400);
    expect((await loginApp.reject(open.challenge, { error: 'because' })).status).toBe(400);

    const devKey = await admin(system).createApiKey('acme', 'development');
    expect((await loginApp.get(open.challenge, devKey)).status).toBe(403);
    await admin(system).createTenant('globex');
    const foreignKey = await admin(system).createApiKey('globex', 'production');
    expect((await loginApp.get(open.challenge, foreignKey)).status).toBe(404);
    expect((await http(system, 'GET', `/v1/login-requests/${open.challenge}`)).status).toBe(401);

    // After all these refusals the request is still open, and accepting it twice is refused.
    expect((await loginApp.accept(open.challenge, { subject: 'dave' })).status).toBe(200);
    expect((await loginApp.accept(open.challenge, { subject: 'dave' })).status).toBe(409);
  });

  it('advertises the authorization endpoint and PKCE in discovery', async () => {
    const metadata = (await http(system, 'GET', '/realms/acme/.well-known/openid-configuration')).body;
    expect(metadata).toMatchObject({
      authorization_endpoint: `${issuer()}/protocol/openid-connect/auth`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      grant_types_supported: ['client_credentials', 'authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:token-exchange'],
    });
  });
});
