/**
 * The admin lifecycle end to end with two issuer replicas: tenants listed, patched (reaching every
 * replica within 1 s) and deleted; OAuth clients listed, patched and their secrets rotated with a
 * grace period; API keys renamed, rotated with a grace period, their last use listed.
 */
import { decodeJwt } from 'jose';
import { AccessTokenHandlers } from '../apps/issuer/access-tokens/access-token.handlers';
import { InternalApiHandlers } from '../apps/issuer/internal-api/internal-api.handlers';
import { TokenEndpointService } from '../apps/issuer/oauth/token-endpoint.service';
import { admin, eventually, http, startSystem, testDatabases, type RoomkeySystem } from './support/harness';
import { NO_REQUEST } from '@roomkey/nats';

const GRACE_SECONDS = 2;

describe.each(testDatabases())('admin lifecycle (%s)', (database) => {
  let system: RoomkeySystem;
  const call = (method: string, path: string, body?: unknown) => admin(system).call(method, path, body);
  /** Each issuer replica's own handlers, so that every replica is checked, not whichever answers. */
  const mintOn = () => system.issuers.map((issuer) => issuer.get(AccessTokenHandlers));
  const authenticateOn = () => system.issuers.map((issuer) => issuer.get(InternalApiHandlers));
  const tokenEndpointOn = () => system.issuers.map((issuer) => issuer.get(TokenEndpointService));
  const succeeds = (promise: Promise<unknown>) => promise.then(() => true, () => false);
  const clientCredentials = (endpoint: TokenEndpointService, tenant: string, clientId: string, secret: string) =>
    endpoint.exchange({ tenant, params: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret } }, NO_REQUEST);

  beforeAll(async () => {
    system = await startSystem({ database, issuers: 2 });
  });

  afterAll(async () => {
    await system?.stop();
  });

  describe('tenants', () => {
    it('lists tenants a page at a time with an opaque cursor, null at the end', async () => {
      for (const shortcode of ['list-c', 'list-a', 'list-b']) await admin(system).createTenant(shortcode);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: any = await call('GET', `/admin/tenants?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        for (const tenant of page.body.items) expect(tenant.issuer).toBe(`${system.baseUrl}/realms/${tenant.shortcode}`);
        seen.push(...page.body.items.map((t: { shortcode: string }) => t.shortcode));
        cursor = page.body.nextCursor;
        pages++;
      } while (cursor !== null && pages < 100);
      expect(seen).toEqual([...seen].sort());
      expect(seen).toEqual(expect.arrayContaining(['list-a', 'list-b', 'list-c']));
      expect(new Set(seen).size).toBe(seen.length);
      const all = await call('GET', '/admin/tenants');
      expect(all.body.items.map((t: { shortcode: string }) => t.shortcode)).toEqual(seen);
      expect(all.body.nextCursor).toBeNull();

      for (const [query, field] of [['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=ten', 'limit'], ['cursor=bogus', 'cursor']]) {
        const answer = await call('GET', `/admin/tenants?${query}`);
        expect({ query, status: answer.status, error: answer.body.error }).toEqual({ query, status: 400, error: 'invalid_request' });
        expect(answer.body.message).toContain(field);
      }
      expect((await http(system, 'GET', '/admin/tenants')).status).toBe(401);
    });

    it('switches guest access on for every issuer replica within 1 s: X-Api-Key alone then works', async () => {
      await admin(system).createTenant('switch');
      const key = await admin(system).createApiKey('switch');
      const guest = () => http(system, 'POST', '/v1/guests', { body: { name: 'Gina' }, headers: { 'x-api-key': key.apiKey } });
      expect((await guest()).status).toBe(403);
      // Both replicas have the tenant cached with the switch off.
      for (const replica of authenticateOn()) expect((await replica.authenticate({ apiKey: key.apiKey }, NO_REQUEST)).tenant.guestAccess).toBe(false);

      const patched = await call('PATCH', '/admin/tenants/switch', { guestAccess: true });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ shortcode: 'switch', guestAccess: true, anonymousAccess: false, issuer: `${system.baseUrl}/realms/switch` });
      const started = Date.now();
      for (const replica of authenticateOn()) {
        await eventually(async () => (await replica.authenticate({ apiKey: key.apiKey }, NO_REQUEST)).tenant.guestAccess, 1000 - (Date.now() - started));
      }
      expect(Date.now() - started).toBeLessThan(1000);
      for (let i = 0; i < 6; i++) expect((await guest()).status).toBe(201);
      expect((await call('GET', '/admin/tenants/switch')).body.guestAccess).toBe(true);
    });

    it('puts a role-matrix change into tokens newly minted by both replicas within 1 s', async () => {
      await admin(system).createTenant('matrix');
      const key = await admin(system).createApiKey('matrix');
      const permsOn = async (replica: AccessTokenHandlers) => decodeJwt((await replica.create({ ...key, userId: 'u', role: 'GUEST' }, NO_REQUEST)).accessToken).perms;
      for (const replica of mintOn()) expect(await permsOn(replica)).toEqual(['live:read', 'layout:read', 'webrtc:join']);

      const patched = await call('PATCH', '/admin/tenants/matrix', { roleMatrix: { GUEST: ['live:read'] }, name: 'Matrix Inc', loginUrl: 'https://matrix.example/login' });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ name: 'Matrix Inc', loginUrl: 'https://matrix.example/login' });
      expect(patched.body.roleMatrix.GUEST).toEqual(['live:read']);
      expect(patched.body.roleMatrix.HOST).toHaveLength(8);
      const started = Date.now();
      for (const replica of mintOn()) {
        await eventually(async () => JSON.stringify(await permsOn(replica)) === '["live:read"]', 1000 - (Date.now() - started));
      }
      expect(Date.now() - started).toBeLessThan(1000);
      // null restores the default matrix and removes the login URL.
      const reset = await call('PATCH', '/admin/tenants/matrix', { roleMatrix: null, loginUrl: null });
      expect(reset.body).toMatchObject({ loginUrl: null, roleMatrix: { GUEST: ['live:read', 'layout:read', 'webrtc:join'] } });
    });

    it('refuses bad patches with 400 naming the field, and 404 for an unknown tenant', async () => {
      await admin(system).createTenant('strict');
      const bad: Array<[unknown, string]> = [
        [{ shortcode: 'renamed' }, 'shortcode'],
        [{ colour: 'red' }, 'colour'],
        [{ signingAlg: 'RS256' }, 'signingAlg'],
        [{ roleMatrix: { ADMIN: ['live:read'] } }, 'ADMIN'],
        [{ roleMatrix: { GUEST: ['live:read', 'teleport'] } }, 'teleport'],
        [{ roleMatrix: 'HOST' }, 'roleMatrix'],
        [{ name: '' }, 'name'],
        [{ guestAccess: 'yes' }, 'guestAccess'],
        [{ loginUrl: 'ftp://x.example/' }, 'loginUrl'],
        [[], 'JSON object'],
      ];
      for (const [body, named] of bad) {
        const answer = await call('PATCH', '/admin/tenants/strict', body);
        expect({ body, status: answer.status, error: answer.body.error }).toEqual({ body, status: 400, error: 'invalid_request' });
        expect(answer.body.message).toContain(named);
      }
      expect((await call('GET', '/admin/tenants/strict')).body).toMatchObject({ shortcode: 'strict', name: 'Tenant strict', guestAccess: false });
      expect((await call('PATCH', '/admin/tenants/nobody', { name: 'x' })).status).toBe(404);
      expect((await http(system, 'PATCH', '/admin/tenants/strict', { body: { name: 'x' } })).status).toBe(401);
    });

    it('deletes a tenant: keys and clients refused on every replica, JWKS 404, the shortcode held (409)', async () => {
      await admin(system).createTenant('doomed');
      const key = await admin(system).createApiKey('doomed');
      const client = (await call('POST', '/admin/tenants/doomed/clients', { grantTypes: ['client_credentials'] })).body;
      for (const replica of mintOn()) await replica.create({ ...key, userId: 'u', role: 'HOST' }, NO_REQUEST);
      for (const endpoint of tokenEndpointOn()) await clientCredentials(endpoint, 'doomed', client.clientId, client.clientSecret);
      expect((await http(system, 'GET', '/realms/doomed/protocol/openid-connect/certs')).status).toBe(200);

      const deleted = await call('DELETE', '/admin/tenants/doomed');
      expect(deleted.status).toBe(204);
      const started = Date.now();
      for (const replica of mintOn()) await eventually(async () => !(await succeeds(replica.create({ ...key, userId: 'u', role: 'HOST' }, NO_REQUEST))), 1000);
      for (const endpoint of tokenEndpointOn()) await eventually(async () => !(await succeeds(clientCredentials(endpoint, 'doomed', client.clientId, client.clientSecret))), 1000);
      expect(Date.now() - started).toBeLessThan(1000);

      const jwks = await http(system, 'GET', '/realms/doomed/protocol/openid-connect/certs');
      expect(jwks.status).toBe(404);
      expect(jwks.body.error).toBe('not_found');
      expect((await http(system, 'GET', '/realms/doomed/.well-known/openid-configuration')).status).toBe(404);
      expect((await call('GET', '/admin/tenants/doomed')).status).toBe(404);
      expect((await call('GET', '/admin/tenants/doomed/api-keys')).status).toBe(404);
      expect((await call('DELETE', '/admin/tenants/doomed')).status).toBe(404);
      expect((await call('GET', '/admin/tenants')).body.items.map((t: { shortcode: string }) => t.shortcode)).not.toContain('doomed');
      expect([401, 429]).toContain((await http(system, 'POST', '/v1/access-tokens', { body: { userId: 'u', role: 'HOST' }, basic: key })).status);
      const again = await call('POST', '/admin/tenants', { shortcode: 'doomed', name: 'Again' });
      expect(again.status).toBe(409);
      expect(again.body).toEqual({ error: 'conflict', message: expect.stringContaining('deleted') });
    });
  });

  describe('OAuth clients', () => {
    beforeAll(async () => {
      await admin(system).createTenant('oauth');
    });

    it('lists, reads and patches a client; the change reaches both replicas', async () => {
      const created = (await call('POST', '/admin/tenants/oauth/clients', { name: 'bot', grantTypes: ['client_credentials'], accessTokenTtl: 600 })).body;
      const list = await call('GET', '/admin/tenants/oauth/clients');
      expect(list.status).toBe(200);
      expect(list.body.items.map((c: { clientId: string }) => c.clientId)).toContain(created.clientId);
      expect(JSON.stringify(list.body)).not.toContain(created.clientSecret);
      expect((await call('GET', `/admin/tenants/oauth/clients/${created.clientId}`)).body).toMatchObject({ name: 'bot', accessTokenTtl: 600 });
      for (const endpoint of tokenEndpointOn()) expect((await clientCredentials(endpoint, 'oauth', created.clientId, created.clientSecret)).expires_in).toBe(600);

      const patched = await call('PATCH', `/admin/tenants/oauth/clients/${created.clientId}`, {
        name: 'robot',
        accessTokenTtl: 900,
        scopes: ['rooms'],
        audiences: ['https://media.oauth.test'],
        grantTypes: ['client_credentials', 'authorization_code'],
        redirectUris: ['https://app.oauth.test/cb'],
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        clientId: created.clientId,
        name: 'robot',
        accessTokenTtl: 900,
        scopes: ['rooms'],
        audiences: ['https://media.oauth.test'],
        grantTypes: ['client_credentials', 'authorization_code'],
        redirectUris: ['https://app.oauth.test/cb'],
        revokedAt: null,
      });
      expect(patched.body.clientSecret).toBeUndefined();
      const started = Date.now();
      for (const endpoint of tokenEndpointOn()) {
        await eventually(async () => (await clientCredentials(endpoint, 'oauth', created.clientId, created.clientSecret)).expires_in === 900, 1000 - (Date.now() - started));
      }
      expect(Date.now() - started).toBeLessThan(1000);
      expect((await call('GET', `/admin/tenants/oauth/clients/${created.clientId}`)).body.name).toBe('robot');
    });

    it('refuses bad client patches naming the field; 404 for unknown clients; 409 for a revoked one', async () => {
      const created = (await call('POST', '/admin/tenants/oauth/clients', { grantTypes: ['client_credentials'] })).body;
      const pub = (await call('POST', '/admin/tenants/oauth/clients', { public: true, grantTypes: ['authorization_code'], redirectUris: ['https://spa.test/cb'] })).body;
      const bad: Array<[string, unknown, string]> = [
        [created.clientId, { secret: 'mine' }, 'secret'],
        [created.clientId, { public: true }, 'public'],
        [created.clientId, { grantTypes: ['password'] }, 'grantTypes'],
        [created.clientId, { grantTypes: ['authorization_code'] }, 'redirectUris'],
        [created.clientId, { redirectUris: ['http://evil.test/cb'] }, 'redirectUris'],
        [created.clientId, { accessTokenTtl: 57601 }, 'accessTokenTtl'],
        [pub.clientId, { grantTypes: ['client_credentials'] }, 'grantTypes'],
      ];
      for (const [clientId, body, field] of bad) {
        const answer = await call('PATCH', `/admin/tenants/oauth/clients/${clientId}`, body);
        expect({ body, status: answer.status }).toEqual({ body, status: 400 });
        expect(answer.body.message).toContain(field);
      }
      expect((await call('PATCH', '/admin/tenants/oauth/clients/rkc_nope', { name: 'x' })).status).toBe(404);
      expect((await call('GET', '/admin/tenants/oauth/clients/rkc_nope')).status).toBe(404);
      expect((await call('DELETE', `/admin/tenants/oauth/clients/${created.clientId}`)).status).toBe(204);
      expect((await call('PATCH', `/admin/tenants/oauth/clients/${created.clientId}`, { name: 'x' })).status).toBe(409);
      const rotated = await call('POST', `/admin/tenants/oauth/clients/${created.clientId}/secret/rotate`, {});
      expect(rotated.status).toBe(409);
      expect(rotated.body.error).toBe('conflict');
    });

    it('rotates a client secret: both secrets work on both replicas during the grace period, then only the new one', async () => {
      const created = (await call('POST', '/admin/tenants/oauth/clients', { grantTypes: ['client_credentials'] })).body;
      const rotated = await call('POST', `/admin/tenants/oauth/clients/${created.clientId}/secret/rotate`, { graceSeconds: GRACE_SECONDS });
      const rotatedAt = Date.now();
      expect(rotated.status).toBe(201);
      expect(rotated.body).toEqual({ clientId: created.clientId, clientSecret: expect.any(String), previousSecretValidUntil: expect.any(String) });
      expect(Math.abs(Date.parse(rotated.body.previousSecretValidUntil) - (rotatedAt + GRACE_SECONDS * 1000))).toBeLessThan(1500);
      for (const endpoint of tokenEndpointOn()) {
        await eventually(() => succeeds(clientCredentials(endpoint, 'oauth', created.clientId, rotated.body.clientSecret)), 1000);
        expect(await succeeds(clientCredentials(endpoint, 'oauth', created.clientId, created.clientSecret))).toBe(true);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(rotated.body.previousSecretValidUntil) - Date.now() + 50)));
      for (const endpoint of tokenEndpointOn()) {
        await expect(clientCredentials(endpoint, 'oauth', created.clientId, created.clientSecret)).rejects.toMatchObject({ code: 'invalid_client' });
        expect(await succeeds(clientCredentials(endpoint, 'oauth', created.clientId, rotated.body.clientSecret))).toBe(true);
      }
      // The older path and the default grace (ROOMKEY_CLIENT_SECRET_GRACE_SECONDS, 3600 here).
      const older = await call('POST', `/admin/tenants/oauth/clients/${created.clientId}/secret`);
      expect(older.status).toBe(201);
      expect(Date.parse(older.body.previousSecretValidUntil) - Date.now()).toBeGreaterThan(3590_000);
      for (const body of [{ graceSeconds: -1 }, { graceSeconds: 604_801 }, { grace: 1 }]) {
        expect((await call('POST', `/admin/tenants/oauth/clients/${created.clientId}/secret/rotate`, body)).status).toBe(400);
      }
    });
  });

  describe('API keys', () => {
    beforeAll(async () => {
      await admin(system).createTenant('keys');
    });

    it('rotates a key: both secrets work on both replicas during the grace period, then only the new one', async () => {
      const key = await admin(system).createApiKey('keys');
      for (const replica of mintOn()) await replica.create({ ...key, userId: 'u', role: 'HOST' }, NO_REQUEST);
      const rotated = await call('POST', `/admin/tenants/keys/api-keys/${key.apiKey}/rotate`, { graceSeconds: GRACE_SECONDS });
      expect(rotated.status).toBe(201);
      expect(rotated.body).toEqual({ apiKey: key.apiKey, secret: expect.any(String), previousSecretValidUntil: expect.any(String) });
      const fresh = { apiKey: key.apiKey, secret: rotated.body.secret };
      for (const replica of mintOn()) {
        await eventually(() => succeeds(replica.create({ ...fresh, userId: 'u', role: 'HOST' }, NO_REQUEST)), 1000);
        expect(await succeeds(replica.create({ ...key, userId: 'u', role: 'HOST' }, NO_REQUEST))).toBe(true);
      }
      expect((await http(system, 'POST', '/v1/access-tokens', { body: { userId: 'u', role: 'HOST' }, basic: key })).status).toBe(201);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(rotated.body.previousSecretValidUntil) - Date.now() + 50)));
      for (const replica of mintOn()) {
        await expect(replica.create({ ...key, userId: 'u', role: 'HOST' }, NO_REQUEST)).rejects.toMatchObject({ code: 'unauthorized' });
        expect(await succeeds(replica.create({ ...fresh, userId: 'u', role: 'HOST' }, NO_REQUEST))).toBe(true);
      }
      expect((await http(system, 'POST', '/v1/access-tokens', { body: { userId: 'u', role: 'HOST' }, basic: fresh })).status).toBe(201);
    });

    it('defaults the grace to 3600 s, refuses bad bodies, 409 for a revoked key, 404 for unknown', async () => {
      const key = await admin(system).createApiKey('keys');
      const rotated = await call('POST', `/admin/tenants/keys/api-keys/${key.apiKey}/rotate`);
      expect(rotated.status).toBe(201);
      expect(Math.abs(Date.parse(rotated.body.previousSecretValidUntil) - (Date.now() + 3600_000))).toBeLessThan(5000);
      for (const [body, field] of [[{ graceSeconds: 604_801 }, 'graceSeconds'], [{ graceSeconds: 'soon' }, 'graceSeconds'], [{ secret: 'mine' }, 'secret']] as const) {
        const answer = await call('POST', `/admin/tenants/keys/api-keys/${key.apiKey}/rotate`, body);
        expect({ body, status: answer.status }).toEqual({ body, status: 400 });
        expect(answer.body.message).toContain(field);
      }
      expect((await call('POST', '/admin/tenants/keys/api-keys/rk_prod_nope/rotate', {})).status).toBe(404);
      expect((await call('POST', `/admin/tenants/switch/api-keys/${key.apiKey}/rotate`, {})).status).toBe(404);
      expect((await call('DELETE', `/admin/tenants/keys/api-keys/${key.apiKey}`)).status).toBe(204);
      const revoked = await call('POST', `/admin/tenants/keys/api-keys/${key.apiKey}/rotate`, {});
      expect(revoked.status).toBe(409);
      expect(revoked.body.error).toBe('conflict');
    });

    it('renames a key and lists its last use (coarse)', async () => {
      const key = await admin(system).createApiKey('keys');
      const listed = async () => (await call('GET', '/admin/tenants/keys/api-keys')).body.items.find((k: { apiKey: string }) => k.apiKey === key.apiKey);
      expect((await listed()).lastUsedAt).toBeNull();
      const renamed = await call('PATCH', `/admin/tenants/keys/api-keys/${key.apiKey}`, { name: 'backend' });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toEqual({ apiKey: key.apiKey, environment: 'production', name: 'backend', createdAt: expect.any(String), revokedAt: null, lastUsedAt: null });
      expect((await call('PATCH', `/admin/tenants/keys/api-keys/${key.apiKey}`, { name: '' })).status).toBe(400);
      expect((await call('PATCH', `/admin/tenants/keys/api-keys/${key.apiKey}`, { name: 'x', label: 'x' })).body.message).toContain('label');
      expect((await call('PATCH', '/admin/tenants/keys/api-keys/rk_prod_nope', { name: 'x' })).status).toBe(404);

      const before = Date.now();
      expect((await http(system, 'POST', '/v1/access-tokens', { body: { userId: 'u', role: 'HOST' }, basic: key })).status).toBe(201);
      await eventually(async () => (await listed()).lastUsedAt !== null, 3000);
      const item = await listed();
      expect(item.name).toBe('backend');
      expect(Date.parse(item.lastUsedAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(item.lastUsedAt)).toBeLessThanOrEqual(Date.now());
    });
  });
});
