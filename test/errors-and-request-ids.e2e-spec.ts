/**
 * Errors keep their detail, and every answer carries a request id (contract §4), end to end: an
 * unexpected error in a service is logged once with its stack and the request id, the caller gets
 * `internal_error` with nothing more; the id travels gateway → identity → issuer over NATS.
 */
import { connect, headers } from '@nats-io/transport-node';
import { errorLog, type ErrorLogFields } from '@roomkey/errors';
import { TokenSigner } from '../apps/issuer/signing/token-signer';
import { admin, http, startSystem, testDatabases, type RoomkeySystem } from './support/harness';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type LogCall = [level: string, message: string, fields: ErrorLogFields];

describe.each(testDatabases())('Errors and request ids (%s)', (database) => {
  let system: RoomkeySystem;
  let production: { apiKey: string; secret: string };
  let logged: LogCall[];
  let write: jest.SpyInstance;

  beforeAll(async () => {
    system = await startSystem({ database });
    await admin(system).createTenant('acme', { guestAccess: true });
    production = await admin(system).createApiKey('acme', 'production');
  });

  afterAll(async () => {
    await system?.stop();
  });

  beforeEach(() => {
    logged = [];
    write = jest.spyOn(errorLog, 'write').mockImplementation((...call) => {
      logged.push(call as LogCall);
    });
  });

  afterEach(() => {
    write.mockRestore();
    jest.restoreAllMocks();
  });

  const errorsLogged = () => logged.filter(([level]) => level === 'error');
  /** Every service's signer (one issuer here) fails once with a plain Error holding a secret. */
  const breakSigning = (secret: string) => {
    const signer = system.issuers[0].get(TokenSigner);
    return jest.spyOn(signer, 'sign').mockImplementationOnce(async () => {
      throw new Error(`connect ECONNREFUSED ${secret}`);
    });
  };

  describe('X-Request-Id', () => {
    it('echoes an acceptable id on success, on errors, on 404s and on OAuth answers', async () => {
      const cases: Array<[string, string, Parameters<typeof http>[3]]> = [
        ['POST', '/v1/access-tokens', { body: { userId: 'alice', role: 'HOST' }, basic: production }],
        ['POST', '/v1/access-tokens', { body: { userId: 'alice', role: 'KING' }, basic: production }],
        ['POST', '/v1/access-tokens', { body: { userId: 'alice', role: 'HOST' } }],
        ['GET', '/no/such/route', {}],
        ['GET', '/realms/nobody/.well-known/openid-configuration', {}],
        ['GET', '/realms/acme/.well-known/openid-configuration', {}],
        ['POST', '/realms/acme/protocol/openid-connect/token', { rawBody: 'grant_type=password', contentType: 'application/x-www-form-urlencoded' }],
        ['GET', '/healthz', {}],
      ];
      const statuses: number[] = [];
      for (const [index, [method, path, options]] of cases.entries()) {
        const requestId = `trace-${index}:abc/DEF=~!`;
        const answer = await http(system, method, path, { ...options, headers: { 'x-request-id': requestId } });
        statuses.push(answer.status);
        expect([path, answer.headers.get('x-request-id')]).toEqual([path, requestId]);
      }
      expect(statuses).toEqual([201, 400, 401, 404, 404, 200, 400, 200]);
    });

    it('generates one when none is sent, and for an over-long or non-visible one', async () => {
      const none = await http(system, 'GET', '/healthz');
      expect(none.headers.get('x-request-id')).toMatch(UUID);
      const other = await http(system, 'GET', '/healthz');
      expect(other.headers.get('x-request-id')).not.toBe(none.headers.get('x-request-id'));

      const longest = 'x'.repeat(128);
      expect((await http(system, 'GET', '/healthz', { headers: { 'x-request-id': longest } })).headers.get('x-request-id')).toBe(longest);
      for (const refused of ['x'.repeat(129), 'has space', 'tab\there', 'caf\u00e9']) {
        const answer = await http(system, 'GET', '/no/such/route', { headers: { 'x-request-id': refused } });
        expect(answer.status).toBe(404);
        expect(answer.headers.get('x-request-id')).toMatch(UUID);
      }
    });

    it('is on the answer to a malformed URL or an over-long path parameter, in the error shape', async () => {
      const badEncoding = await http(system, 'POST', '/v1/invites/%E0%A4%A/redeem', { body: {}, headers: { 'x-request-id': 'bad-url-1' } });
      expect(badEncoding.status).toBe(400);
      expect(badEncoding.body).toEqual({ error: 'invalid_request', message: expect.stringMatching(/percent-encoding/) });
      expect(badEncoding.headers.get('x-request-id')).toBe('bad-url-1');

      const longParameter = await http(system, 'POST', `/v1/invites/${'c'.repeat(300)}/redeem`, { body: {} });
      expect([400, 404]).toContain(longParameter.status);
      expect(longParameter.body).toEqual({ error: expect.any(String), message: expect.any(String) });
      expect(longParameter.headers.get('x-request-id')).toMatch(UUID);
    });
  });

  describe('an unexpected error in a service', () => {
    it('is logged once, with its stack, the subject and the request id; the caller gets internal_error and no detail', async () => {
      const secret = 'postgres://admin:hunter2@db';
      const sign = breakSigning(secret);
      const answer = await http(system, 'POST', '/v1/access-tokens', {
        body: { userId: 'alice', role: 'HOST' },
        basic: production,
        headers: { 'x-request-id': 'forced-failure-1' },
      });
      expect(sign).toHaveBeenCalledTimes(1);
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({ error: 'internal_error', message: 'Internal error' });
      expect(JSON.stringify(answer.body)).not.toContain('hunter2');
      expect(answer.headers.get('x-request-id')).toBe('forced-failure-1');

      expect(errorsLogged()).toHaveLength(1);
      const [, message, fields] = errorsLogged()[0];
      expect(message).toContain(secret);
      expect(fields).toMatchObject({ requestId: 'forced-failure-1', where: 'roomkey.v1.tokens.create', code: 'internal_error' });
      expect(fields.stack).toContain('ECONNREFUSED');
      expect(fields.stack).toMatch(/\n\s+at /);
      // The gateway saw only the relayed internal_error: not logged again at error level.
      expect(logged.filter(([, , f]) => f.where === 'POST /v1/access-tokens').map(([level]) => level)).toEqual(['debug']);
    });

    it('two hops away (gateway → identity → issuer) still carries the request id', async () => {
      breakSigning('disk on fire');
      const answer = await http(system, 'POST', '/v1/guests', {
        body: { name: 'Guest' },
        headers: { 'x-api-key': production.apiKey, 'x-request-id': 'forced-failure-2' },
      });
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({ error: 'internal_error', message: 'Internal error' });
      expect(answer.headers.get('x-request-id')).toBe('forced-failure-2');
      expect(errorsLogged()).toHaveLength(1);
      expect(errorsLogged()[0][2]).toMatchObject({ requestId: 'forced-failure-2', where: 'roomkey.internal.issuer.tokens.mint' });
    });

    it('a plain NATS caller may send X-Request-Id as a header; the reply holds no detail either', async () => {
      breakSigning('hunter2');
      const nats = await connect({ servers: system.natsUrl });
      try {
        const sent = headers();
        sent.set('X-Request-Id', 'nats-caller-1');
        const body = JSON.stringify({ apiKey: production.apiKey, secret: production.secret, userId: 'dave', role: 'GUEST' });
        const reply = await nats.request('roomkey.v1.tokens.create', body, { timeout: 5000, headers: sent });
        expect(reply.json()).toEqual({ ok: false, error: 'internal_error', message: 'Internal error' });
        breakSigning('hunter2');
        await nats.request('roomkey.v1.tokens.create', body, { timeout: 5000 });
      } finally {
        await nats.close();
      }
      expect(errorsLogged().map(([, , fields]) => fields.requestId)).toEqual(['nats-caller-1', undefined]);
    });

    it('a generated request id is the one logged', async () => {
      breakSigning('x');
      const answer = await http(system, 'POST', '/v1/access-tokens', { body: { userId: 'bob', role: 'GUEST' }, basic: production });
      expect(answer.status).toBe(500);
      expect(errorsLogged()[0][2].requestId).toBe(answer.headers.get('x-request-id'));
    });
  });

  it('expected errors are not logged at error level', async () => {
    await http(system, 'POST', '/v1/access-tokens', { body: { userId: 'alice', role: 'KING' }, basic: production });
    await http(system, 'GET', '/admin/tenants/nobody', { bearer: system.adminToken });
    await http(system, 'POST', '/v1/access-tokens', { body: {}, basic: { apiKey: production.apiKey, secret: 'wrong' } });
    expect(logged.length).toBeGreaterThan(0);
    // At info there are only the access lines and the audit trail (the wrong secret), no error.
    expect(logged.filter(([level]) => level === 'error' || level === 'warn')).toEqual([]);
    expect(logged.filter(([level, message, fields]) => level === 'info' && message !== 'HTTP request' && fields.audit !== 'auth.failed')).toEqual([]);
  });

  it('a token rejection is logged with its reason, kid and jti and the request id, never the token', async () => {
    const minted = await http(system, 'POST', '/v1/access-tokens', { body: { userId: 'carol', role: 'GUEST' }, basic: production });
    const token: string = minted.body.accessToken;
    const [header, payload] = token.split('.');
    const tampered = `${header}.${payload}.${'A'.repeat(86)}`;
    const answer = await http(system, 'POST', '/v1/tokens/verify', { body: { token: tampered }, basic: production, headers: { 'x-request-id': 'reject-1' } });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: 'invalid_token', message: 'Token is invalid or expired' });

    const rejection = logged.find(([, message]) => message === 'Token rejected');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { jti: string };
    const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string };
    expect(rejection?.[2]).toEqual({ requestId: 'reject-1', detail: 'signature or time claims', kid, jti: claims.jti });
    expect(JSON.stringify(logged)).not.toContain(payload);
  });
});
