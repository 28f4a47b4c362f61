/**
 * Issue 14, items 4–6: scoped admin keys (scopes, one tenant, revocation within 1 s, the actor on
 * every admin-change event), revocation by user and by tenant (`iat` cut-offs on both issuer
 * replicas within 1 s, and on a replica started afterwards), and `metadata` carried into tokens.
 * The real services on a private NATS, two issuer replicas.
 */
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { decodeJwt } from 'jose';
import { startIssuerService } from '../apps/issuer/issuer.app';
import { TokenVerifier } from '../apps/issuer/verification/token-verifier.service';
import { admin, eventually, http, startAuthorization, startSystem, testDatabases, type RoomkeySystem } from './support/harness';
import { NO_REQUEST } from '@roomkey/nats';

const LOGIN_URL = 'https://login.alpha.test/login';
const REDIRECT_URI = 'https://app.alpha.test/callback';

describe.each(testDatabases())('admin keys, revocation by user and tenant, metadata (%s)', (database) => {
  let system: RoomkeySystem;
  let nats: NatsConnection;
  const events: any[] = [];
  let alphaKey: { apiKey: string; secret: string };
  let betaKey: { apiKey: string; secret: string };

  beforeAll(async () => {
    system = await startSystem({ database, issuers: 2 });
    await admin(system).createTenant('alpha', { loginUrl: LOGIN_URL });
    await admin(system).createTenant('beta');
    alphaKey = await admin(system).createApiKey('alpha');
    betaKey = await admin(system).createApiKey('beta');
    nats = await connect({ servers: system.natsUrl });
    nats.subscribe('roomkey.v1.events.>', { callback: (_error, message) => void events.push(message.json()) });
    await nats.flush();
  });

  afterAll(async () => {
    await nats?.close();
    await system?.stop();
  });

  const asKey = (secret: string) => (method: string, path: string, body?: unknown) => http(system, method, path, { bearer: secret, body });
  const createAdminKey = async (body: Record<string, unknown>) => {
    const answer = await admin(system).call('POST', '/admin/admin-keys', body);
    expect(answer.status).toBe(201);
    return answer.body as { id: string; secret: string; tenant: string | null; scopes: string[] };
  };
  const mint = async (key: { apiKey: string; secret: string }, userId: string, extra: Record<string, unknown> = {}) => {
    const answer = await http(system, 'POST', '/v1/access-tokens', { basic: key, body: { userId, role: 'GUEST', ...extra } });
    expect(answer.status).toBe(201);
    return answer.body.accessToken as string;
  };
  const verifiers = () => system.issuers.map((issuer) => issuer.get(TokenVerifier));
  const acceptedBy = (verifier: TokenVerifier, tenant: string, token: string) => verifier.verify(tenant, token, NO_REQUEST).then(() => true, () => false);
  /** Every given token refused by every replica within `ms` of `since`. */
  async function refusedEverywhereWithin(tenant: string, tokens: string[], since: number, ms = 1000) {
    for (const verifier of verifiers()) {
      for (const token of tokens) {
        while (await acceptedBy(verifier, tenant, token)) {
          if (Date.now() - since > ms) throw new Error(`a replica still accepts a token after ${ms} ms`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    }
    expect(Date.now() - since).toBeLessThan(ms);
  }
  async function acceptedEverywhere(tenant: string, tokens: string[]) {
    for (const verifier of verifiers()) for (const token of tokens) expect(await acceptedBy(verifier, tenant, token)).toBe(true);
  }
  const eventsOf = (type: string, match: (event: any) => boolean = () => true) => events.filter((event) => event.type === type && match(event));

  // ---------------------------------------------------------------- admin keys

  it('creates, lists (never secrets) and deletes admin keys, with the bootstrap token only', async () => {
    const created = await createAdminKey({ name: 'ci', scopes: ['tenants:read'] });
    expect(created).toMatchObject({ name: 'ci', tenant: null, scopes: ['tenants:read'], id: expect.stringMatching(/^adm_/), secret: expect.stringMatching(/^rk_admin_/) });
    const listed = await admin(system).call('GET', '/admin/admin-keys');
    expect(listed.status).toBe(200);
    const item = listed.body.items.find((k: any) => k.id === created.id);
    expect(item).toMatchObject({ id: created.id, name: 'ci', tenant: null, scopes: ['tenants:read'], revokedAt: null, createdAt: expect.any(String) });
    expect(JSON.stringify(listed.body)).not.toContain(created.secret);
    expect(JSON.stringify(listed.body)).not.toContain('secret');

    // Even a key holding every scope may not manage admin keys.
    const everything = await createAdminKey({ scopes: ['*'] });
    for (const [method, path, body] of [
      ['POST', '/admin/admin-keys', { scopes: ['*'] }],
      ['GET', '/admin/admin-keys', undefined],
      ['DELETE', `/admin/admin-keys/${created.id}`, undefined],
    ] as const) {
      const refused = await asKey(everything.secret)(method, path, body);
      expect({ path, method, status: refused.status, error: refused.body.error }).toEqual({ path, method, status: 403, error: 'forbidden' });
    }

    expect((await admin(system).call('DELETE', `/admin/admin-keys/${created.id}`)).status).toBe(204);
    expect((await admin(system).call('DELETE', `/admin/admin-keys/${created.id}`)).status).toBe(204);
    expect((await admin(system).call('DELETE', '/admin/admin-keys/adm_doesnotexist0000')).status).toBe(404);
    const after = (await admin(system).call('GET', '/admin/admin-keys')).body.items.find((k: any) => k.id === created.id);
    expect(after.revokedAt).toEqual(expect.any(String));
    expect((await asKey(created.secret)('GET', '/admin/tenants/alpha')).status).toBe(401);
  });

  it('refuses malformed admin-key bodies with a 400 naming the field, and an unknown tenant with 404', async () => {
    const cases: Array<[unknown, string]> = [
      [{}, 'scopes'],
      [{ scopes: [] }, 'scopes'],
      [{ scopes: ['tenants:admin'] }, 'scopes'],
      [{ scopes: ['tenants:read', 'tenants:read'] }, 'scopes'],
      [{ scopes: ['*'], tenant: 'Not A Shortcode' }, 'tenant'],
      [{ scopes: ['*'], name: '' }, 'name'],
      [{ scopes: ['*'], colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const answer = await admin(system).call('POST', '/admin/admin-keys', body);
      expect({ body, status: answer.status, error: answer.body.error }).toEqual({ body, status: 400, error: 'invalid_request' });
      expect(answer.body.message).toContain(field);
    }
    const unknown = await admin(system).call('POST', '/admin/admin-keys', { scopes: ['*'], tenant: 'nobody' });
    expect(unknown.status).toBe(404);
    expect((await http(system, 'GET', '/admin/admin-keys', { bearer: 'rk_admin_AAAAAAAAAAAAAAAA_forged' })).status).toBe(401);
  });

  it('authorises every admin call against the key’s scopes (403 forbidden outside them)', async () => {
    const reader = asKey((await createAdminKey({ scopes: ['tenants:read'] })).secret);
    const writer = asKey((await createAdminKey({ scopes: ['keys:write'] })).secret);
    const revoker = asKey((await createAdminKey({ scopes: ['tokens:revoke'] })).secret);
    const all = asKey((await createAdminKey({ scopes: ['*'] })).secret);

    expect((await reader('GET', '/admin/tenants/alpha')).status).toBe(200);
    expect((await reader('GET', '/admin/tenants/alpha/api-keys')).status).toBe(200);
    expect((await reader('GET', '/admin/tenants/alpha/signing-keys')).status).toBe(200);
    for (const [method, path, body] of [
      ['POST', '/admin/tenants/alpha/api-keys', { environment: 'development' }],
      ['POST', '/admin/tenants/alpha/signing-keys/rotate', undefined],
      ['POST', '/admin/tenants', { shortcode: 'gamma', name: 'Gamma' }],
      ['POST', '/admin/tenants/alpha/revoke-before', {}],
    ] as const) {
      const refused = await reader(method, path, body);
      expect({ path, status: refused.status, body: refused.body }).toEqual({ path, status: 403, body: { error: 'forbidden', message: expect.any(String) } });
    }
    expect((await writer('POST', '/admin/tenants/alpha/api-keys', { environment: 'development' })).status).toBe(201);
    expect((await writer('GET', '/admin/tenants/alpha')).status).toBe(403);
    expect((await revoker('POST', '/admin/tenants/alpha/revoke-before', { issuedBefore: new Date(Date.now() - 3_600_000).toISOString() })).status).toBe(200);
    expect((await revoker('GET', '/admin/tenants/alpha')).status).toBe(403);
    expect((await all('POST', '/admin/tenants', { shortcode: 'gamma', name: 'Gamma' })).status).toBe(201);
    expect((await all('GET', '/admin/tenants/gamma')).status).toBe(200);
    // A wrong or missing credential is still 401, before any scope is looked at.
    expect((await http(system, 'GET', '/admin/tenants/alpha', { bearer: 'wrong' })).status).toBe(401);
  });

  it('keeps a per-tenant admin key to its tenant: another tenant is 404 (as if it did not exist), the list shows its own', async () => {
    const bound = await createAdminKey({ tenant: 'alpha', scopes: ['*'] });
    expect(bound.tenant).toBe('alpha');
    const call = asKey(bound.secret);
    expect((await call('GET', '/admin/tenants/alpha')).status).toBe(200);
    expect((await call('GET', '/admin/tenants/alpha/api-keys')).status).toBe(200);
    const other = await call('GET', '/admin/tenants/beta');
    const missing = await call('GET', '/admin/tenants/nobody');
    expect(other.status).toBe(404);
    expect(other.body.error).toBe('not_found');
    // The same sentence as for a tenant that does not exist: nothing says beta exists.
    expect(other.body.message).toBe(missing.body.message.replace('nobody', 'beta'));
    for (const [method, path, body] of [
      ['POST', '/admin/tenants/beta/api-keys', { environment: 'production' }],
      ['GET', '/admin/tenants/beta/api-keys', undefined],
      ['DELETE', `/admin/tenants/beta/api-keys/${betaKey.apiKey}`, undefined],
      ['POST', '/admin/tenants/beta/signing-keys/rotate', undefined],
      ['POST', '/admin/tenants/beta/revoke-before', {}],
    ] as const) {
      expect({ path, status: (await call(method, path, body)).status }).toEqual({ path, status: 404 });
    }
    // Creating tenants is not a one-tenant matter.
    expect((await call('POST', '/admin/tenants', { shortcode: 'delta', name: 'Delta' })).status).toBe(403);
    const list = await call('GET', '/admin/tenants');
    expect(list.status).toBe(200);
    expect(list.body.items.map((t: any) => t.shortcode)).toEqual(['alpha']);
    expect(list.body.nextCursor).toBeNull();
    // beta's key still works: nothing was done to it.
    await mint(betaKey, 'still-here');
  });

  it('refuses a revoked admin key within 1 s', async () => {
    const key = await createAdminKey({ scopes: ['tenants:read'] });
    const call = asKey(key.secret);
    // Resolved (and cached) by the gateway first.
    for (let i = 0; i < 3; i++) expect((await call('GET', '/admin/tenants/alpha')).status).toBe(200);
    expect((await admin(system).call('DELETE', `/admin/admin-keys/${key.id}`)).status).toBe(204);
    const took = await eventually(async () => (await call('GET', '/admin/tenants/alpha')).status === 401, 1000, 10);
    expect(took).toBeLessThan(1000);
    for (let i = 0; i < 3; i++) expect((await call('GET', '/admin/tenants/alpha')).status).toBe(401);
    await eventually(async () => eventsOf('admin-key.revoked', (e) => e.adminKeyId === key.id).length > 0, 2000);
    expect(eventsOf('admin-key.revoked', (e) => e.adminKeyId === key.id)[0]).toMatchObject({ tenant: '_admin', actor: 'bootstrap' });
  });

  it('names the actor on every admin-change event: bootstrap or the admin key’s id', async () => {
    const key = await createAdminKey({ tenant: 'alpha', scopes: ['keys:write', 'tokens:revoke'] });
    const byKey = await asKey(key.secret)('POST', '/admin/tenants/alpha/api-keys', { environment: 'development', name: 'by-key' });
    expect(byKey.status).toBe(201);
    const byBootstrap = await admin(system).call('POST', '/admin/tenants/alpha/api-keys', { environment: 'development', name: 'by-bootstrap' });
    expect((await asKey(key.secret)('DELETE', `/admin/tenants/alpha/api-keys/${byBootstrap.body.apiKey}`)).status).toBe(204);
    const cutoff = await asKey(key.secret)('POST', '/admin/tenants/alpha/revoke-before', { issuedBefore: new Date(Date.now() - 7_200_000).toISOString() });
    expect(cutoff.status).toBe(200);

    await eventually(async () => eventsOf('api-key.revoked', (e) => e.apiKey === byBootstrap.body.apiKey).length > 0, 2000);
    await eventually(async () => eventsOf('tokens.revoked-before', (e) => e.issuedBefore === cutoff.body.issuedBefore).length > 0, 2000);
    expect(eventsOf('api-key.created', (e) => e.apiKey === byKey.body.apiKey)).toEqual([expect.objectContaining({ tenant: 'alpha', actor: key.id })]);
    expect(eventsOf('api-key.created', (e) => e.apiKey === byBootstrap.body.apiKey)).toEqual([expect.objectContaining({ actor: 'bootstrap' })]);
    expect(eventsOf('api-key.revoked', (e) => e.apiKey === byBootstrap.body.apiKey)).toEqual([expect.objectContaining({ actor: key.id })]);
    expect(eventsOf('tokens.revoked-before', (e) => e.issuedBefore === cutoff.body.issuedBefore)).toEqual([
      expect.objectContaining({ tenant: 'alpha', actor: key.id, issuedBefore: cutoff.body.issuedBefore }),
    ]);
    expect(eventsOf('admin-key.created', (e) => e.adminKeyId === key.id)).toEqual([expect.objectContaining({ tenant: 'alpha', actor: 'bootstrap' })]);
    // Tokens minted with an API key are no admin change: no actor.
    await mint(alphaKey, 'no-actor');
    expect(events.filter((e) => e.type === 'guest.created' || e.type === 'token.revoked').every((e) => e.actor === undefined)).toBe(true);
    // A client cannot pass an actor on a public subject.
    const forged = await nats.request('roomkey.v1.guests.create', JSON.stringify({ ...alphaKey, name: 'G' }), { timeout: 5000, headers: actorHeaders('forged') });
    expect(forged.json<any>().ok).toBe(true);
    await eventually(async () => eventsOf('guest.created').length > 0, 2000);
    expect(eventsOf('guest.created').every((e) => e.actor === undefined)).toBe(true);
  });

  // ---------------------------------------------------------------- revocation by user and by tenant

  it('revokes every earlier token of a user on both replicas within 1 s; a later token works, other users’ stay valid', async () => {
    const carol = [await mint(alphaKey, 'carol'), await mint(alphaKey, 'carol', { role: 'HOST' })];
    const dave = await mint(alphaKey, 'dave');
    const otherTenantsCarol = await mint(betaKey, 'carol');
    await acceptedEverywhere('alpha', [...carol, dave]);

    const revoked = await http(system, 'POST', '/v1/users/carol/revoke', { basic: alphaKey, body: {} });
    const since = Date.now();
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ userId: 'carol', issuedBefore: expect.any(String) });
    expect(Math.abs(Date.parse(revoked.body.issuedBefore) - Date.now())).toBeLessThan(5000);
    await refusedEverywhereWithin('alpha', carol, since);
    for (const token of carol) {
      const verified = await http(system, 'POST', '/v1/tokens/verify', { basic: alphaKey, body: { token } });
      expect(verified.status).toBe(401);
      expect(verified.body).toEqual({ error: 'invalid_token', message: 'Token is invalid or expired' });
    }
    await acceptedEverywhere('alpha', [dave]);
    await acceptedEverywhere('beta', [otherTenantsCarol]);

    // A token made after the cut-off (even within the same second) works on both replicas.
    const later = await mint(alphaKey, 'carol');
    expect(decodeJwt(later).iat! * 1000).toBeGreaterThanOrEqual(Date.parse(revoked.body.issuedBefore));
    await acceptedEverywhere('alpha', [later]);
    expect((await http(system, 'POST', '/v1/tokens/verify', { basic: alphaKey, body: { token: later } })).status).toBe(200);
    // The public NATS verify subject agrees.
    const overNats = async (token: string) => (await nats.request('roomkey.v1.tokens.verify', JSON.stringify({ ...alphaKey, token }), { timeout: 5000 })).json<any>();
    expect(await overNats(carol[0])).toMatchObject({ ok: false, error: 'invalid_token' });
    expect(await overNats(later)).toMatchObject({ ok: true, active: true });

    // An earlier cut-off never undoes a later one.
    const earlier = await http(system, 'POST', '/v1/users/carol/revoke', { basic: alphaKey, body: { issuedBefore: new Date(Date.now() - 3_600_000).toISOString() } });
    expect(earlier.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const verifier of verifiers()) for (const token of carol) expect(await acceptedBy(verifier, 'alpha', token)).toBe(false);
    await acceptedEverywhere('alpha', [later]);

    await eventually(async () => eventsOf('tokens.revoked-before', (e) => e.userId === 'carol').length >= 2, 2000);
    expect(eventsOf('tokens.revoked-before', (e) => e.userId === 'carol')[0]).toMatchObject({ tenant: 'alpha', userId: 'carol', issuedBefore: revoked.body.issuedBefore });
    expect(eventsOf('tokens.revoked-before', (e) => e.userId === 'carol')[0].actor).toBeUndefined();
  });

  it('takes any user id in the path, and refuses bad input', async () => {
    const userId = 'ünï/cøde 👩‍💻';
    const token = await mint(alphaKey, userId);
    const path = `/v1/users/${encodeURIComponent(userId)}/revoke`;
    const answer = await http(system, 'POST', path, { basic: alphaKey });
    expect(answer.status).toBe(200);
    expect(answer.body.userId).toBe(userId);
    await refusedEverywhereWithin('alpha', [token], Date.now());
    const long = 'x'.repeat(255);
    expect((await http(system, 'POST', `/v1/users/${long}/revoke`, { basic: alphaKey, body: {} })).status).toBe(200);
    expect((await http(system, 'POST', `/v1/users/${'x'.repeat(256)}/revoke`, { basic: alphaKey, body: {} })).status).toBe(400);

    const bad: Array<[unknown, string]> = [
      [{ issuedBefore: 'yesterday' }, 'issuedBefore'],
      [{ issuedBefore: 1700000000 }, 'issuedBefore'],
      [{ issuedBefore: new Date(Date.now() + 3_600_000).toISOString() }, 'issuedBefore'],
      [{ before: new Date().toISOString() }, 'before'],
    ];
    for (const [body, field] of bad) {
      for (const [path, options] of [
        ['/v1/users/erin/revoke', { basic: alphaKey }],
        ['/admin/tenants/alpha/revoke-before', { bearer: system.adminToken }],
      ] as const) {
        const refused = await http(system, 'POST', path, { ...options, body });
        expect({ path, body, status: refused.status }).toEqual({ path, body, status: 400 });
        expect(refused.body.message).toContain(field);
      }
    }
    expect((await http(system, 'POST', '/v1/users/erin/revoke', { body: {} })).status).toBe(401);
    expect((await http(system, 'POST', '/v1/users/erin/revoke', { basic: { ...alphaKey, secret: 'wrong' }, body: {} })).status).toBe(401);
    expect((await admin(system).call('POST', '/admin/tenants/nobody/revoke-before', {})).status).toBe(404);
  });

  it('revokes every earlier token of a tenant on both replicas within 1 s; later tokens and other tenants stay valid; a replica started later agrees', async () => {
    await admin(system).createTenant('omega');
    const omegaKey = await admin(system).createApiKey('omega');
    const before = [await mint(omegaKey, 'frank'), await mint(omegaKey, 'grace', { role: 'HOST' })];
    const guest = await http(system, 'POST', '/v1/guests', { basic: omegaKey, body: { name: 'Guest' } });
    expect(guest.status).toBe(201);
    before.push(guest.body.accessToken);
    const alphas = await mint(alphaKey, 'frank');
    await acceptedEverywhere('omega', before);

    const cut = await admin(system).call('POST', '/admin/tenants/omega/revoke-before', {});
    const since = Date.now();
    expect(cut.status).toBe(200);
    expect(cut.body).toEqual({ tenant: 'omega', issuedBefore: expect.any(String) });
    await refusedEverywhereWithin('omega', before, since);
    await acceptedEverywhere('alpha', [alphas]);
    const after = await mint(omegaKey, 'frank');
    await acceptedEverywhere('omega', [after]);
    await eventually(async () => eventsOf('tokens.revoked-before', (e) => e.tenant === 'omega' && e.userId === undefined).length > 0, 2000);
    expect(eventsOf('tokens.revoked-before', (e) => e.tenant === 'omega')[0]).toMatchObject({ issuedBefore: cut.body.issuedBefore, actor: 'bootstrap' });

    // Introspection agrees (an OAuth client of the tenant asks).
    const client = await admin(system).call('POST', '/admin/tenants/omega/clients', { grantTypes: ['client_credentials'] });
    const introspect = (token: string) =>
      http(system, 'POST', '/realms/omega/protocol/openid-connect/token/introspect', {
        rawBody: new URLSearchParams({ token, client_id: client.body.clientId, client_secret: client.body.clientSecret }).toString(),
        contentType: 'application/x-www-form-urlencoded',
      });
    expect((await introspect(before[0])).body).toEqual({ active: false });
    expect((await introspect(after)).body).toMatchObject({ active: true, sub: 'frank' });

    // A replica started after the cut-offs (user and tenant) knows them from the KV bucket.
    const late = await startIssuerService(system.configs.issuer);
    try {
      const verifier = late.get(TokenVerifier);
      for (const token of before) expect(await acceptedBy(verifier, 'omega', token)).toBe(false);
      expect(await acceptedBy(verifier, 'omega', after)).toBe(true);
      expect(await acceptedBy(verifier, 'alpha', alphas)).toBe(true);
    } finally {
      await late.close();
    }
  });

  // ---------------------------------------------------------------- metadata

  it('carries metadata into tokens (CreateAccessToken, guests, over HTTP and NATS) and returns it from verify and introspection', async () => {
    const metadata = { team: 'blue', seat: 7, tags: ['a', 'b'], nested: { ok: true, none: null } };
    const token = await mint(alphaKey, 'meta', { metadata });
    expect(decodeJwt(token).metadata).toEqual(metadata);
    const verified = await http(system, 'POST', '/v1/tokens/verify', { basic: alphaKey, body: { token } });
    expect(verified.body.claims.metadata).toEqual(metadata);
    for (const verifier of verifiers()) expect((await verifier.verify('alpha', token, NO_REQUEST)).metadata).toEqual(metadata);

    const overNats = (await nats.request('roomkey.v1.tokens.create', JSON.stringify({ ...alphaKey, userId: 'meta', role: 'VIEWER', metadata }), { timeout: 5000 })).json<any>();
    expect(overNats.ok).toBe(true);
    expect(decodeJwt(overNats.accessToken).metadata).toEqual(metadata);

    const guest = await http(system, 'POST', '/v1/guests', { basic: alphaKey, body: { name: 'G', metadata } });
    expect(guest.status).toBe(201);
    expect(decodeJwt(guest.body.accessToken).metadata).toEqual(metadata);
    const guestOverNats = (await nats.request('roomkey.v1.guests.create', JSON.stringify({ ...alphaKey, metadata }), { timeout: 5000 })).json<any>();
    expect(decodeJwt(guestOverNats.accessToken).metadata).toEqual(metadata);

    // No metadata: no claim.
    expect(decodeJwt(await mint(alphaKey, 'plain')).metadata).toBeUndefined();
  });

  it('refuses metadata over 2 KiB or not an object with a 400 naming metadata, on every path', async () => {
    const big = { blob: 'x'.repeat(2048) };
    const exactly = { b: 'x'.repeat(2048 - JSON.stringify({ b: '' }).length) };
    expect(Buffer.byteLength(JSON.stringify(exactly))).toBe(2048);
    expect(decodeJwt(await mint(alphaKey, 'edge', { metadata: exactly })).metadata).toEqual(exactly);
    const multiByte = { s: 'é'.repeat(1100) }; // under 2048 characters, over 2048 bytes
    for (const metadata of [big, multiByte, 'text', 42, ['a'], true]) {
      for (const [path, body] of [
        ['/v1/access-tokens', { userId: 'm', role: 'GUEST', metadata }],
        ['/v1/guests', { metadata }],
      ] as const) {
        const answer = await http(system, 'POST', path, { basic: alphaKey, body });
        expect({ path, metadata: JSON.stringify(metadata).slice(0, 20), status: answer.status }).toEqual({ path, metadata: JSON.stringify(metadata).slice(0, 20), status: 400 });
        expect(answer.body.error).toBe('invalid_request');
        expect(answer.body.message).toContain('metadata');
      }
      const overNats = (await nats.request('roomkey.v1.tokens.create', JSON.stringify({ ...alphaKey, userId: 'm', role: 'GUEST', metadata }), { timeout: 5000 })).json<any>();
      expect(overNats).toMatchObject({ ok: false, error: 'invalid_request', message: expect.stringContaining('metadata') });
      const guestOverNats = (await nats.request('roomkey.v1.guests.create', JSON.stringify({ ...alphaKey, metadata }), { timeout: 5000 })).json<any>();
      expect(guestOverNats).toMatchObject({ ok: false, error: 'invalid_request', message: expect.stringContaining('metadata') });
    }
  });

  it('carries the login accept’s metadata through the authorization code and refresh grants, and refuses bad metadata there', async () => {
    const client = await admin(system).call('POST', '/admin/tenants/alpha/clients', {
      public: true,
      grantTypes: ['authorization_code', 'refresh_token'],
      redirectUris: [REDIRECT_URI],
    });
    const clientId = client.body.clientId as string;
    const startLogin = () => startAuthorization(system, { tenant: 'alpha', clientId, redirectUri: REDIRECT_URI, state: 's1' });
    const token = (params: Record<string, string>) =>
      http(system, 'POST', '/realms/alpha/protocol/openid-connect/token', {
        rawBody: new URLSearchParams({ client_id: clientId, ...params }).toString(),
        contentType: 'application/x-www-form-urlencoded',
      });

    const refused = await startLogin();
    for (const metadata of [{ blob: 'x'.repeat(3000) }, 'text', [1]]) {
      const answer = await http(system, 'PUT', `/v1/login-requests/${refused.challenge}/accept`, { basic: alphaKey, body: { subject: 'lena', metadata } });
      expect(answer.status).toBe(400);
      expect(answer.body.message).toContain('metadata');
    }

    const metadata = { plan: 'pro', seats: [1, 2] };
    const { verifier, challenge } = await startLogin();
    const accepted = await http(system, 'PUT', `/v1/login-requests/${challenge}/accept`, { basic: alphaKey, body: { subject: 'lena', role: 'GUEST', metadata } });
    expect(accepted.status).toBe(200);
    const code = new URL(accepted.body.redirectTo).searchParams.get('code')!;
    const tokens = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
    expect(tokens.status).toBe(200);
    expect(decodeJwt(tokens.body.access_token)).toMatchObject({ sub: 'lena', metadata });
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.body.access_token).metadata).toEqual(metadata);

    // Cutting the user off ends the session: the refresh token issued before buys nothing more.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await http(system, 'POST', '/v1/users/lena/revoke', { basic: alphaKey, body: {} })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const afterCutoff = await token({ grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token });
    expect(afterCutoff.status).toBe(400);
    expect(afterCutoff.body.error).toBe('invalid_grant');
  });
});

function actorHeaders(actor: string) {
  const h = headers();
  h.set('X-Request-Id', 'forged-request');
  h.set('Roomkey-Actor', actor);
  return h;
}
