/**
 * Structured logs and the audit trail (issue 13, items 1 and 2), end to end: every service writes
 * JSON lines (captured here from the in-process services' pino destination); a failed login, a
 * lock-out and an admin change are each found in the logs with their request id and in the
 * tenant's events (`GET /admin/tenants/{t}/events`) with their actor; and a grep of every line of
 * the run finds none of the secrets and tokens the run created.
 */
import { admin, eventually, http, startSystem, testDatabases, type RoomkeySystem } from './support/harness';

type Line = Record<string, unknown> & { level: string; time: string; msg: string; service: string; instance: string };

describe.each(testDatabases())('Audit trail and structured logs (%s)', (database) => {
  let system: RoomkeySystem;
  const raw: string[] = [];
  /** Every secret and token the run sees: none may appear in any log line. */
  const secrets: string[] = [];
  let key: { apiKey: string; secret: string };
  const lines = (): Line[] => raw.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Line);
  const find = (predicate: (line: Line) => boolean) => lines().filter(predicate);
  const events = async (query = '') => {
    const answer = await http(system, 'GET', `/admin/tenants/audit/events${query}`, { bearer: system.adminToken });
    expect(answer.status).toBe(200);
    return answer.body as { items: Array<Record<string, unknown> & { id: string; type: string; time: string; actor: string | null }>; nextCursor: string | null };
  };

  beforeAll(async () => {
    system = await startSystem({
      database,
      logLevel: 'info',
      logDestination: { write: (line: string) => void raw.push(line) },
      authFailuresPerIdentifier: 3,
    });
    secrets.push(system.adminToken, system.configs.keys.masterKey.toString('base64'));
    await admin(system).createTenant('audit');
    key = await admin(system).createApiKey('audit');
    secrets.push(key.secret);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('writes JSON lines with a UTC time in milliseconds, level, service and instance', () => {
    const all = lines();
    expect(all.length).toBeGreaterThan(0);
    for (const line of all) {
      expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(typeof line.level).toBe('string');
      expect(typeof line.service).toBe('string');
      expect(typeof line.instance).toBe('string');
    }
  });

  it('logs one access line per HTTP request: route pattern, method, status, duration, tenant, request id', async () => {
    const answer = await http(system, 'GET', '/realms/audit/.well-known/openid-configuration', { headers: { 'x-request-id': 'req-access-1' } });
    expect(answer.status).toBe(200);
    await eventually(async () => find((l) => l.requestId === 'req-access-1' && l.msg === 'HTTP request').length === 1, 2000);
    const [access] = find((l) => l.requestId === 'req-access-1' && l.msg === 'HTTP request');
    expect(access).toMatchObject({ level: 'info', service: 'gateway', method: 'GET', route: '/realms/:tenant/.well-known/openid-configuration', status: 200, tenant: 'audit' });
    expect(typeof access.durationMs).toBe('number');
  });

  it('logs a successful token request with no line from the issuer at info', async () => {
    const answer = await http(system, 'POST', '/v1/access-tokens', { basic: key, body: { userId: 'alice', role: 'HOST' }, headers: { 'x-request-id': 'req-token-1' } });
    expect(answer.status).toBe(201);
    secrets.push(answer.body.accessToken);
    await eventually(async () => find((l) => l.requestId === 'req-token-1').length > 0, 2000);
    expect(find((l) => l.requestId === 'req-token-1').map((l) => `${l.service} ${l.msg}`)).toEqual(['gateway HTTP request']);
  });

  it('a failed login: logged with the API key, the address, the reason and the request id; published as auth.failed with the actor', async () => {
    const answer = await http(system, 'POST', '/v1/access-tokens', {
      basic: { apiKey: key.apiKey, secret: 'wrong-secret-0123456789' },
      body: { userId: 'alice', role: 'HOST' },
      headers: { 'x-request-id': 'req-failed-login' },
    });
    expect(answer.status).toBe(401);
    secrets.push('wrong-secret-0123456789');
    await eventually(async () => find((l) => l.requestId === 'req-failed-login' && l.audit === 'auth.failed').length === 1, 2000);
    const [failed] = find((l) => l.requestId === 'req-failed-login' && l.audit === 'auth.failed');
    expect(failed).toMatchObject({ level: 'info', service: 'issuer', actor: key.apiKey, credential: 'api-key', address: '127.0.0.1', tenant: 'audit' });
    expect(failed.reason).toMatch(/wrong secret/);
    expect(find((l) => l.requestId === 'req-failed-login' && l.msg === 'HTTP request')[0]).toMatchObject({ status: 401, route: '/v1/access-tokens' });

    await eventually(async () => (await events('?type=auth.failed')).items.length === 1, 3000);
    const [event] = (await events('?type=auth.failed')).items;
    expect(event).toMatchObject({ type: 'auth.failed', actor: key.apiKey, credential: 'api-key', address: '127.0.0.1' });
    expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(event).not.toHaveProperty('occurredAt');
  });

  it('an unknown API key is logged (no tenant to publish under), with anonymous for a request without one', async () => {
    await http(system, 'POST', '/v1/access-tokens', { basic: { apiKey: 'pk_nosuchkey', secret: 'x'.repeat(20) }, body: { userId: 'a', role: 'HOST' }, headers: { 'x-request-id': 'req-unknown-key' } });
    await eventually(async () => find((l) => l.requestId === 'req-unknown-key' && l.audit === 'auth.failed').length === 1, 2000);
    expect(find((l) => l.requestId === 'req-unknown-key' && l.audit === 'auth.failed')[0]).toMatchObject({ actor: 'pk_nosuchkey', reason: 'unknown or revoked API key' });
  });

  it('a lock-out: the 429 is logged at warn with the request id, and published once as auth.throttled', async () => {
    let status = 0;
    for (let i = 0; i < 6 && status !== 429; i++) {
      status = (
        await http(system, 'POST', '/v1/access-tokens', {
          basic: { apiKey: key.apiKey, secret: `wrong-secret-${i}-abcdefghijkl` },
          body: { userId: 'alice', role: 'HOST' },
          headers: { 'x-request-id': `req-lockout-${i}` },
        })
      ).status;
      secrets.push(`wrong-secret-${i}-abcdefghijkl`);
    }
    expect(status).toBe(429);
    // Once blocked, more wrong secrets are refused without another event.
    for (let i = 0; i < 3; i++) {
      const again = await http(system, 'POST', '/v1/access-tokens', { basic: { apiKey: key.apiKey, secret: 'still-wrong-abcdefghijkl' }, body: { userId: 'a', role: 'HOST' } });
      expect(again.status).toBe(429);
    }
    secrets.push('still-wrong-abcdefghijkl');
    await eventually(async () => find((l) => l.audit === 'auth.throttled').length >= 4, 2000);
    const [throttled] = find((l) => l.audit === 'auth.throttled');
    expect(throttled).toMatchObject({ level: 'warn', service: 'issuer', actor: key.apiKey, limit: 'API key', tenant: 'audit' });
    expect(String(throttled.requestId)).toMatch(/^req-lockout-/);
    expect(find((l) => l.requestId === throttled.requestId && l.msg === 'HTTP request')[0]).toMatchObject({ status: 429 });

    await eventually(async () => (await events('?type=auth.throttled')).items.length === 1, 3000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const published = (await events('?type=auth.throttled')).items;
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ actor: key.apiKey, limit: 'API key' });
    expect(published[0].retryAfterSeconds).toBeGreaterThan(0);
    // Failures are published at most once a second per identifier, however many there were.
    expect((await events('?type=auth.failed')).items.length).toBeLessThanOrEqual(3);
  });

  it('an admin change: logged with the actor and the request id (gateway and keys), published with the actor', async () => {
    const answer = await http(system, 'POST', '/admin/tenants/audit/api-keys', {
      bearer: system.adminToken,
      body: { environment: 'development' },
      headers: { 'x-request-id': 'req-admin-change' },
    });
    expect(answer.status).toBe(201);
    secrets.push(answer.body.secret);
    await eventually(async () => find((l) => l.requestId === 'req-admin-change' && l.audit === 'admin.change').length === 1, 2000);
    expect(find((l) => l.requestId === 'req-admin-change' && l.audit === 'admin.change')[0]).toMatchObject({
      level: 'info',
      service: 'gateway',
      actor: 'bootstrap',
      method: 'POST',
      route: '/admin/tenants/:tenant/api-keys',
      tenant: 'audit',
    });
    // The keys service's own line about it carries the same request id.
    expect(find((l) => l.requestId === 'req-admin-change' && l.service === 'keys').length).toBeGreaterThan(0);

    const created = (await events('?type=api-key.created')).items;
    expect(created.map((e) => e.apiKey)).toContain(answer.body.apiKey);
    expect(created.find((e) => e.apiKey === answer.body.apiKey)).toMatchObject({ actor: 'bootstrap' });
  });

  it('a refused admin credential is logged as auth.failed, never the credential', async () => {
    const wrong = 'rk_admin_wrong_token_abcdefghijklmnop';
    secrets.push(wrong);
    const answer = await http(system, 'GET', '/admin/tenants/audit', { bearer: wrong, headers: { 'x-request-id': 'req-bad-admin' } });
    expect(answer.status).toBe(401);
    await eventually(async () => find((l) => l.requestId === 'req-bad-admin' && l.audit === 'auth.failed').length === 1, 2000);
    expect(find((l) => l.requestId === 'req-bad-admin' && l.audit === 'auth.failed')[0]).toMatchObject({ level: 'warn', actor: 'anonymous', address: '127.0.0.1' });
  });

  it('lists the tenant’s events newest first, a page at a time by cursor, filtered by type; 400 naming a bad field; 404 for no tenant', async () => {
    const all = await events('?limit=200');
    expect(all.nextCursor).toBeNull();
    const types = all.items.map((e) => e.type);
    expect(types[types.length - 1]).toBe('tenant.created');
    expect(types).toEqual(expect.arrayContaining(['api-key.created', 'auth.failed', 'auth.throttled']));
    const times = all.items.map((e) => Date.parse(e.time));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await events(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.items.map((e) => e.id));

    for (const [query, field] of [['?limit=0', 'limit'], ['?cursor=abc', 'cursor'], ['?type=nope', 'type']] as const) {
      const bad = await http(system, 'GET', `/admin/tenants/audit/events${query}`, { bearer: system.adminToken });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain(field);
    }
    expect((await http(system, 'GET', '/admin/tenants/nosuch/events', { bearer: system.adminToken })).status).toBe(404);
    expect((await http(system, 'GET', '/admin/tenants/audit/events')).status).toBe(401);
  });

  it('no log line of the whole run holds a secret or a token it created', async () => {
    // An OAuth client and its token too.
    const client = await http(system, 'POST', '/admin/tenants/audit/clients', { bearer: system.adminToken, body: { grantTypes: ['client_credentials'], scopes: ['rooms:read'] } });
    expect(client.status).toBe(201);
    secrets.push(client.body.clientSecret);
    const token = await fetch(`${system.baseUrl}/realms/audit/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.body.clientId, client_secret: client.body.clientSecret }),
    });
    expect(token.status).toBe(200);
    secrets.push(((await token.json()) as { access_token: string }).access_token);
    await fetch(`${system.baseUrl}/realms/audit/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.body.clientId, client_secret: 'wrong-client-secret-xyz' }),
    });
    secrets.push('wrong-client-secret-xyz');
    await eventually(async () => find((l) => l.audit === 'auth.failed' && l.credential === 'client').length === 1, 2000);

    const text = raw.join('');
    expect(text.length).toBeGreaterThan(1000);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      if (text.includes(secret)) throw new Error(`a log line holds a secret or token: ${secret.slice(0, 6)}…`);
      // A JWT's signature alone, too.
      if (secret.split('.').length === 3 && text.includes(secret.split('.')[2])) throw new Error('a log line holds a token signature');
    }
  });
});
