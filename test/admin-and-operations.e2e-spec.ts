/** Admin API, discovery, health and behaviour when a service is down: real services, real NATS and database. */
import { connect } from '@nats-io/transport-node';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { admin, http, startSystem, testDatabases, type RoomkeySystem } from './support/harness';

describe.each(testDatabases())('admin API and operations (%s)', (database) => {
  let system: RoomkeySystem;

  beforeAll(async () => {
    system = await startSystem({ database, issuers: 1, natsRequestTimeoutMs: 1000 });
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('requires the admin bearer token', async () => {
    const missing = await http(system, 'POST', '/admin/tenants', { body: { shortcode: 'x1', name: 'X' } });
    expect(missing.status).toBe(401);
    expect(missing.body.error).toBe('unauthorized');
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
    const wrong = await http(system, 'GET', '/admin/tenants/x1', { bearer: 'not-the-token' });
    expect(wrong.status).toBe(401);
  });

  it('creates a tenant once, validates it, and answers 404 for unknown tenants', async () => {
    const created = await admin(system).call('POST', '/admin/tenants', { shortcode: 'initech', name: 'Initech', guestAccess: true });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      shortcode: 'initech',
      name: 'Initech',
      guestAccess: true,
      anonymousAccess: false,
      loginUrl: null,
      signingAlg: 'ES256',
      issuer: `${system.baseUrl}/realms/initech`,
    });
    expect((await admin(system).call('POST', '/admin/tenants', { shortcode: 'initech', name: 'Again' })).status).toBe(409);
    expect((await admin(system).call('GET', '/admin/tenants/initech')).body.name).toBe('Initech');
    expect((await admin(system).call('GET', '/admin/tenants/nobody')).status).toBe(404);

    const invalid: Array<[unknown, string]> = [
      [{ shortcode: 'Upper', name: 'x' }, 'shortcode'],
      [{ shortcode: '-dash', name: 'x' }, 'shortcode'],
      [{ shortcode: 'a', name: 'x' }, 'shortcode'],
      [{ shortcode: 'okay', name: '' }, 'name'],
      [{ shortcode: 'okay' }, 'name'],
      [{ shortcode: 'okay', name: 'x', loginUrl: 'ftp://x' }, 'loginUrl'],
      [{ shortcode: 'okay', name: 'x', guestAccess: 'yes' }, 'guestAccess'],
      [{ shortcode: 'okay', name: 'x', signingAlg: 'HS256' }, 'signingAlg'],
      [{ shortcode: 'okay', name: 'x', colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of invalid) {
      const answer = await admin(system).call('POST', '/admin/tenants', body);
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
      expect(answer.body.message).toContain(field);
    }
    expect((await admin(system).call('GET', '/admin/tenants/okay')).status).toBe(404);
  });

  it('manages API keys: secret shown once, list without secrets, revoke with 204, 404 for unknown', async () => {
    await admin(system).createTenant('umbrella');
    const created = await admin(system).call('POST', '/admin/tenants/umbrella/api-keys', { environment: 'development', name: 'staging' });
    expect(created.status).toBe(201);
    expect(created.body.apiKey).toMatch(/^rk_dev_[A-Za-z0-9]{24}$/);
    expect(created.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const prod = await admin(system).call('POST', '/admin/tenants/umbrella/api-keys', { environment: 'production' });
    expect(prod.body.apiKey).toMatch(/^rk_prod_/);

    expect((await admin(system).call('POST', '/admin/tenants/umbrella/api-keys', { environment: 'staging' })).status).toBe(400);
    expect((await admin(system).call('POST', '/admin/tenants/umbrella/api-keys', {})).status).toBe(400);
    expect((await admin(system).call('POST', '/admin/tenants/nobody/api-keys', { environment: 'production' })).status).toBe(404);

    const list = await admin(system).call('GET', '/admin/tenants/umbrella/api-keys');
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(2);
    expect(JSON.stringify(list.body)).not.toContain(created.body.secret);
    expect(list.body.items[0]).toEqual({ apiKey: created.body.apiKey, environment: 'development', name: 'staging', createdAt: expect.any(String), revokedAt: null, lastUsedAt: null });

    const revoked = await admin(system).call('DELETE', `/admin/tenants/umbrella/api-keys/${created.body.apiKey}`);
    expect(revoked.status).toBe(204);
    expect(revoked.body).toBeUndefined();
    expect((await admin(system).call('DELETE', '/admin/tenants/umbrella/api-keys/rk_dev_unknown')).status).toBe(404);
    expect((await admin(system).call('DELETE', `/admin/tenants/initech/api-keys/${prod.body.apiKey}`)).status).toBe(404);
  });

  it('lists signing keys without private parts and rotates on demand', async () => {
    await admin(system).createTenant('hooli');
    const list = await admin(system).call('GET', '/admin/tenants/hooli/signing-keys');
    expect(list.body.items.map((k: any) => k.state)).toEqual(['active', 'next']);
    for (const key of list.body.items) {
      expect(key).toEqual({ kid: expect.any(String), alg: 'ES256', state: expect.any(String), createdAt: expect.any(String), publicJwk: expect.objectContaining({ kty: 'EC', kid: key.kid }) });
      expect(key.publicJwk.d).toBeUndefined();
    }
    const [active, next] = list.body.items;
    const rotated = await admin(system).call('POST', '/admin/tenants/hooli/signing-keys/rotate');
    expect(rotated.status).toBe(201);
    expect(rotated.body.kid).toBe(next.kid);
    const after = (await admin(system).call('GET', '/admin/tenants/hooli/signing-keys')).body.items;
    expect(after.find((k: any) => k.kid === active.kid).state).toBe('retiring');
    expect(after.filter((k: any) => k.state === 'next')).toHaveLength(1);
    const jwks = (await http(system, 'GET', '/realms/hooli/protocol/openid-connect/certs')).body;
    expect(jwks.keys).toHaveLength(3);
    expect(jwks.keys.every((k: any) => k.d === undefined)).toBe(true);
    expect((await admin(system).call('POST', '/admin/tenants/nobody/signing-keys/rotate')).status).toBe(404);
  });

  it.each(['EdDSA', 'RS256'])('signs with %s when the tenant asks for it', async (alg) => {
    const shortcode = `alg-${alg.toLowerCase()}`;
    await admin(system).createTenant(shortcode, { signingAlg: alg });
    const key = await admin(system).createApiKey(shortcode);
    const minted = await http(system, 'POST', '/v1/access-tokens', { body: { userId: 'u1', role: 'COHOST' }, basic: key });
    expect(minted.status).toBe(201);
    const jwks = createRemoteJWKSet(new URL(`${system.baseUrl}/realms/${shortcode}/protocol/openid-connect/certs`));
    const { protectedHeader } = await jwtVerify(minted.body.accessToken, jwks, { issuer: `${system.baseUrl}/realms/${shortcode}` });
    expect(protectedHeader.alg).toBe(alg);
  });

  it('applies a tenant’s own role matrix to every token it issues', async () => {
    const created = await admin(system).call('POST', '/admin/tenants', {
      shortcode: 'custom-roles',
      name: 'Custom',
      guestAccess: true,
      roleMatrix: { GUEST: ['live:read'], HOST: ['live:read', 'broadcast:manage'] },
    });
    expect(created.status).toBe(201);
    expect(created.body.roleMatrix.GUEST).toEqual(['live:read']);
    expect(created.body.roleMatrix.VIEWER).toEqual(['live:read', 'layout:read']);
    const key = await admin(system).createApiKey('custom-roles');
    const dev = await admin(system).createApiKey('custom-roles', 'development');
    const guest = await http(system, 'POST', '/v1/access-tokens', { basic: key, body: { userId: 'u', role: 'GUEST' } });
    expect(guest.body.permissions).toEqual(['live:read']);
    expect(decodeJwt(guest.body.accessToken).perms).toEqual(['live:read']);
    const devHost = await http(system, 'POST', '/v1/access-tokens', { basic: dev, body: { userId: 'u', role: 'HOST', rooms: ['a'] } });
    expect(devHost.body.permissions).toEqual(['live:read']);
    const guestUser = await http(system, 'POST', '/v1/guests', { basic: key, body: { name: 'G' } });
    expect(decodeJwt(guestUser.body.accessToken).perms).toEqual(['live:read']);

    for (const roleMatrix of [{ OWNER: ['live:read'] }, { GUEST: ['fly'] }, { GUEST: 'live:read' }, ['GUEST']]) {
      const answer = await admin(system).call('POST', '/admin/tenants', { shortcode: 'bad-roles', name: 'x', roleMatrix });
      expect({ roleMatrix, status: answer.status }).toEqual({ roleMatrix, status: 400 });
      expect(answer.body.message).toContain('roleMatrix');
    }
  });

  it('serves discovery metadata and 404 for unknown realms', async () => {
    const metadata = await http(system, 'GET', '/realms/initech/.well-known/openid-configuration');
    expect(metadata.status).toBe(200);
    expect(metadata.body).toMatchObject({
      issuer: `${system.baseUrl}/realms/initech`,
      jwks_uri: `${system.baseUrl}/realms/initech/protocol/openid-connect/certs`,
    });
    expect((await http(system, 'GET', '/realms/nobody/.well-known/openid-configuration')).status).toBe(404);
    expect((await http(system, 'GET', '/realms/nobody/protocol/openid-connect/certs')).body).toEqual({ error: 'not_found', message: "Tenant 'nobody' not found" });
    expect((await http(system, 'GET', '/no/such/route')).body.error).toBe('not_found');
  });

  it('documents exactly the routes it serves in OpenAPI at /docs', async () => {
    const document = (await http(system, 'GET', '/docs')).body;
    expect(document.openapi).toBe('3.1.0');
    expect((await http(system, 'GET', '/docs/openapi.json')).body).toEqual(document);
    const html = await http(system, 'GET', '/docs', { headers: { accept: 'text/html' } });
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(html.body).toContain('/v1/access-tokens');

    const documented = new Set<string>();
    for (const [path, operations] of Object.entries(document.paths as Record<string, object>)) {
      for (const method of Object.keys(operations)) documented.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
    }
    // Fastify's route tree, flattened: "├── /a (GET, HEAD)" with children indented four columns a level.
    const served = new Set<string>();
    const stack: string[] = [];
    const tree: string = system.gateway.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
    for (const line of tree.split('\n')) {
      const match = /^(.*?)[├└]── (\S+) \(([^)]+)\)/.exec(line);
      if (!match) continue;
      const depth = match[1].length / 4;
      stack[depth] = (depth > 0 ? stack[depth - 1] : '') + match[2];
      for (const method of match[3].split(', ')) if (method !== 'HEAD') served.add(`${method} ${stack[depth]}`);
    }
    expect(served.size).toBeGreaterThan(30);
    expect([...served].sort()).toEqual([...documented].sort());
  });

  it('exposes Prometheus metrics by route pattern, never by raw URL', async () => {
    await http(system, 'GET', '/realms/initech/protocol/openid-connect/certs');
    await http(system, 'GET', '/realms/nobody/protocol/openid-connect/certs');
    const metrics = await http(system, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(metrics.body).toMatch(/roomkey_http_requests_total\{method="GET",route="\/realms\/:tenant\/protocol\/openid-connect\/certs",status="200",service="gateway",instance="[0-9a-f]+"\} \d+/);
    expect(metrics.body).toMatch(/roomkey_http_requests_total\{method="GET",route="\/realms\/:tenant\/protocol\/openid-connect\/certs",status="404",service="gateway",instance="[0-9a-f]+"\} \d+/);
    // prom-client writes a histogram's `le` first; label order means nothing to Prometheus.
    expect(metrics.body).toMatch(/roomkey_http_request_duration_seconds_bucket\{(?=[^}]*le="\+Inf")(?=[^}]*service="gateway")[^}]*method="GET",route="\/realms\/:tenant\/protocol\/openid-connect\/certs"\} \d+/);
    expect(metrics.body).toMatch(/process_resident_memory_bytes\{service="gateway",instance="[0-9a-f]+"\} \d+/);
    expect(metrics.body).not.toContain('/realms/nobody');
  });

  it('reports health and readiness, and answers 503 (never hangs) when a service is down', async () => {
    expect((await http(system, 'GET', '/healthz')).status).toBe(200);
    const ready = await http(system, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.services).toEqual({ keys: 'up', issuer: 'up', identity: 'up' });
    expect(ready.body).toMatchObject({ status: 'ok', checks: { nats: 'ok', issuance: 'ok', admin: 'ok', identity: 'ok' } });

    // Contract §4: ready means tokens can be issued; a missing identity service is a degradation.
    await system.identity.close();
    const degraded = await http(system, 'GET', '/readyz');
    expect(degraded.status).toBe(200);
    expect(degraded.body).toMatchObject({ status: 'degraded', checks: { issuance: 'ok', identity: 'down' } });
    expect(degraded.body.message).toContain('identity');

    const key = await admin(system).createApiKey('initech');
    for (const issuer of system.issuers) await issuer.close();
    const notReady = await http(system, 'GET', '/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body).toMatchObject({ error: 'unavailable', status: 'down', checks: { issuance: 'down' } });
    const started = Date.now();
    const down = await http(system, 'POST', '/v1/access-tokens', { body: { userId: 'a', role: 'HOST' }, basic: key });
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ error: 'unavailable', message: expect.stringContaining('issuer') });
    expect(Date.now() - started).toBeLessThan(3000);

    // A replica that takes the request but never answers: the gateway's timeout turns it into a 503.
    const silent = await connect({ servers: system.natsUrl });
    silent.subscribe('roomkey.v1.tokens.create', { queue: 'roomkey-issuer', callback: () => undefined });
    await silent.flush();
    const hung = await http(system, 'POST', '/v1/access-tokens', { body: { userId: 'a', role: 'HOST' }, basic: key });
    await silent.close();
    expect(hung.status).toBe(503);
    expect(hung.body.message).toBe('The issuer service did not answer in time');
  });
});
