import { PERMISSIONS, type AccessTokenClaims } from '@roomkey/contracts';
import { InvalidRequestError, UnauthorizedError, UnavailableError } from '@roomkey/errors';
import { compactVerify, decodeJwt, decodeProtectedHeader, importJWK } from 'jose';
import { PUBLIC_URL, createIssuerTestKit, type IssuerTestKit } from '../testing/fake-key-directory';
import { AccessTokenHandlers } from './access-token.handlers';
import { NO_REQUEST } from '@roomkey/nats';

const START = Date.UTC(2026, 2, 1, 12, 0, 0, 250);
const START_S = Math.floor(START / 1000);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

async function expectInvalid(promise: Promise<unknown>, field: string): Promise<void> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(InvalidRequestError);
  expect((error as InvalidRequestError).status).toBe(400);
  expect((error as InvalidRequestError).details.field).toBe(field);
  expect((error as Error).message).toContain(`'${field}'`);
}

describe('AccessTokenService', () => {
  let kit: IssuerTestKit;
  let prod: { apiKey: string; secret: string };
  let dev: { apiKey: string; secret: string };

  beforeEach(async () => {
    kit = createIssuerTestKit(START);
    await kit.directory.addTenant('acme');
    prod = kit.directory.addApiKey('acme', 'production');
    dev = kit.directory.addApiKey('acme', 'development');
  });

  const create = (credentials: { apiKey: string; secret: string }, body: Record<string, unknown>) =>
    new AccessTokenHandlers(kit.accessTokens).create({ ...credentials, ...body }, NO_REQUEST);

  describe('a production HOST token', () => {
    it('carries the contract claims and header, signed by the active key', async () => {
      const result = await create(prod, { userId: 'alice', role: 'HOST', rooms: ['room-1', 'room-2', 'room-1'], name: 'Alice', image: 'https://cdn/a.png' });
      const active = kit.directory.key('acme', 'active');

      expect(decodeProtectedHeader(result.accessToken)).toEqual({ alg: 'ES256', kid: active.kid, typ: 'at+jwt' });
      const claims = decodeJwt(result.accessToken) as unknown as AccessTokenClaims;
      expect(claims).toEqual({
        iss: `${PUBLIC_URL}/realms/acme`,
        sub: 'alice',
        aud: 'roomkey',
        iat: START_S,
        exp: START_S + 3600,
        jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
        tid: 'acme',
        client_id: prod.apiKey,
        kind: 'user',
        role: 'HOST',
        perms: [...PERMISSIONS],
        env: 'production',
        rooms: ['room-1', 'room-2'],
        name: 'Alice',
        image: 'https://cdn/a.png',
      });
      expect(claims.perms).toContain('broadcast:manage');

      // The signature is the active key's.
      await expect(compactVerify(result.accessToken, await importJWK(active.publicJwk, 'ES256'))).resolves.toBeDefined();
      const next = kit.directory.key('acme', 'next');
      await expect(compactVerify(result.accessToken, await importJWK(next.publicJwk, 'ES256'))).rejects.toThrow();

      expect(result).toEqual({
        accessToken: result.accessToken,
        tokenType: 'Bearer',
        expiresIn: 3600,
        expiresAt: new Date((START_S + 3600) * 1000).toISOString(),
        role: 'HOST',
        permissions: [...PERMISSIONS],
      });
      expect(result.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    it('has no rooms claim when no rooms are named, and no name or image unless given', async () => {
      const claims = decodeJwt((await create(prod, { userId: 'bob', role: 'VIEWER' })).accessToken);
      expect(claims).not.toHaveProperty('rooms');
      expect(claims).not.toHaveProperty('name');
      expect(claims).not.toHaveProperty('image');
      expect(claims.perms).toEqual(['live:read', 'layout:read']);
    });

    it('gets a new jti for every token', async () => {
      const a = decodeJwt((await create(prod, { userId: 'bob', role: 'GUEST' })).accessToken);
      const b = decodeJwt((await create(prod, { userId: 'bob', role: 'GUEST' })).accessToken);
      expect(a.jti).not.toBe(b.jti);
    });
  });

  describe('lifetimes', () => {
    it('defaults to 3600 s', async () => {
      const result = await create(prod, { userId: 'alice', role: 'HOST' });
      expect(result.expiresIn).toBe(3600);
      const claims = decodeJwt(result.accessToken);
      expect(claims.exp! - claims.iat!).toBe(3600);
    });

    it('allows up to 86400 s for a production key', async () => {
      const result = await create(prod, { userId: 'alice', role: 'HOST', ttlSeconds: 86400 });
      expect(result.expiresIn).toBe(86400);
      expect(decodeJwt(result.accessToken).exp).toBe(START_S + 86400);
      expect((await create(prod, { userId: 'alice', role: 'HOST', ttlSeconds: 1 })).expiresIn).toBe(1);
    });

    it.each([86401, 0, -5, 1.5, '60'])('rejects ttlSeconds %p for a production key', async (ttlSeconds) => {
      await expectInvalid(create(prod, { userId: 'alice', role: 'HOST', ttlSeconds }), 'ttlSeconds');
    });
  });

  describe('a development key', () => {
    it('must name rooms', async () => {
      await expectInvalid(create(dev, { userId: 'alice', role: 'HOST' }), 'rooms');
      await expectInvalid(create(dev, { userId: 'alice', role: 'HOST', rooms: [] }), 'rooms');
    });

    it('may name up to 10 rooms, not 11', async () => {
      const ten = Array.from({ length: 10 }, (_, i) => `r${i}`);
      expect(decodeJwt((await create(dev, { userId: 'alice', role: 'HOST', rooms: ten })).accessToken).rooms).toEqual(ten);
      await expectInvalid(create(dev, { userId: 'alice', role: 'HOST', rooms: [...ten, 'r10'] }), 'rooms');
    });

    it('allows at most 3600 s', async () => {
      expect((await create(dev, { userId: 'alice', role: 'HOST', rooms: ['r'], ttlSeconds: 3600 })).expiresIn).toBe(3600);
      await expectInvalid(create(dev, { userId: 'alice', role: 'HOST', rooms: ['r'], ttlSeconds: 3601 }), 'ttlSeconds');
    });

    it('gives a HOST every HOST permission except broadcast:manage', async () => {
      const result = await create(dev, { userId: 'alice', role: 'HOST', rooms: ['r'] });
      const expected = PERMISSIONS.filter((p) => p !== 'broadcast:manage');
      expect(result.permissions).toEqual(expected);
      const claims = decodeJwt(result.accessToken);
      expect(claims.perms).toEqual(expected);
      expect(claims.perms).not.toContain('broadcast:manage');
      expect(claims.env).toBe('development');
      expect(claims.client_id).toBe(dev.apiKey);
    });
  });

  describe('body validation (after authentication)', () => {
    it.each([
      ['userId', { role: 'HOST' }],
      ['userId', { userId: '', role: 'HOST' }],
      ['userId', { userId: '!anon', role: 'HOST' }],
      ['userId', { userId: 'a'.repeat(256), role: 'HOST' }],
      ['role', { userId: 'alice' }],
      ['role', { userId: 'alice', role: 'ADMIN' }],
      ['rooms', { userId: 'alice', role: 'HOST', rooms: ['bad room'] }],
      ['rooms', { userId: 'alice', role: 'HOST', rooms: Array.from({ length: 101 }, (_, i) => `r${i}`) }],
      ['name', { userId: 'alice', role: 'HOST', name: 'n'.repeat(256) }],
      ['image', { userId: 'alice', role: 'HOST', image: 5 }],
      ['room', { userId: 'alice', role: 'HOST', room: 'r1' }],
    ])('rejects a bad or unknown %s with 400 naming it', async (field, body) => {
      await expectInvalid(create(prod, body), field);
    });

    it('rejects a non-object request', async () => {
      await expect(new AccessTokenHandlers(kit.accessTokens).create('token please', NO_REQUEST)).rejects.toBeInstanceOf(InvalidRequestError);
      await expect(new AccessTokenHandlers(kit.accessTokens).create(null, NO_REQUEST)).rejects.toBeInstanceOf(InvalidRequestError);
    });
  });

  describe('credentials', () => {
    const body = { userId: 'alice', role: 'HOST' };

    it.each([
      ['a wrong secret', (k: IssuerTestKit, p: { apiKey: string; secret: string }) => ({ apiKey: p.apiKey, secret: `${p.secret}x` })],
      ['an unknown key', (_k: IssuerTestKit, p: { apiKey: string; secret: string }) => ({ apiKey: 'rk_prod_unknown', secret: p.secret })],
      ['another key’s secret', (k: IssuerTestKit, p: { apiKey: string; secret: string }) => ({ apiKey: p.apiKey, secret: k.directory.addApiKey('acme', 'production').secret })],
      ['no secret', (_k: IssuerTestKit, p: { apiKey: string; secret: string }) => ({ apiKey: p.apiKey })],
      ['no apiKey', (_k: IssuerTestKit, p: { apiKey: string; secret: string }) => ({ secret: p.secret })],
      ['empty credentials', () => ({ apiKey: '', secret: '' })],
      ['non-string credentials', () => ({ apiKey: 1, secret: 2 })],
      ['no credentials at all', () => ({})],
      ['an over-long secret', (_k: IssuerTestKit, p: { apiKey: string; secret: string }) => ({ apiKey: p.apiKey, secret: 's'.repeat(257) })],
    ])('rejects %s with UnauthorizedError', async (_label, credentials) => {
      const error = await rejection(new AccessTokenHandlers(kit.accessTokens).create({ ...body, ...credentials(kit, prod) }, NO_REQUEST));
      expect(error).toBeInstanceOf(UnauthorizedError);
      expect((error as UnauthorizedError).status).toBe(401);
    });

    it('rejects a revoked key', async () => {
      kit.directory.revokeApiKey(prod.apiKey);
      await expect(create(prod, body)).rejects.toBeInstanceOf(UnauthorizedError);
    });

    it('checks credentials before the body (a bad body with bad credentials is 401, not 400)', async () => {
      await expect(new AccessTokenHandlers(kit.accessTokens).create({ apiKey: prod.apiKey, secret: 'wrong', role: 'ADMIN', junk: 1 }, NO_REQUEST)).rejects.toBeInstanceOf(
        UnauthorizedError,
      );
    });

    it('does not ask the directory about over-long API keys', async () => {
      await expect(new AccessTokenHandlers(kit.accessTokens).create({ ...body, apiKey: 'k'.repeat(65), secret: 'x' }, NO_REQUEST)).rejects.toBeInstanceOf(UnauthorizedError);
      expect(kit.directory.resolveCalls).toEqual([]);
    });

    it('caches credentials; after CredentialCache.invalidate the directory is asked again and a revocation is picked up', async () => {
      await create(prod, body);
      await create(prod, body);
      expect(kit.directory.resolveCalls).toEqual([prod.apiKey]);

      kit.directory.revokeApiKey(prod.apiKey);
      // Still cached until the api-key.revoked event invalidates it.
      await expect(create(prod, body)).resolves.toBeDefined();
      expect(kit.directory.resolveCalls).toHaveLength(1);

      kit.credentials.invalidate(prod.apiKey);
      await expect(create(prod, body)).rejects.toBeInstanceOf(UnauthorizedError);
      expect(kit.directory.resolveCalls).toEqual([prod.apiKey, prod.apiKey]);
    });

    it('CredentialCache.lookup returns a live key without its secret and 401s for unknown or revoked keys', async () => {
      await expect(kit.credentials.lookup(prod.apiKey, NO_REQUEST)).resolves.toMatchObject({ apiKey: prod.apiKey, tenant: 'acme', revoked: false });
      await expect(kit.credentials.lookup('rk_prod_unknown', NO_REQUEST)).rejects.toBeInstanceOf(UnauthorizedError);
      await expect(kit.credentials.lookup(42, NO_REQUEST)).rejects.toBeInstanceOf(UnauthorizedError);
      await expect(kit.credentials.lookup('', NO_REQUEST)).rejects.toBeInstanceOf(UnauthorizedError);
      kit.directory.revokeApiKey(prod.apiKey);
      kit.credentials.invalidate(prod.apiKey);
      await expect(kit.credentials.lookup(prod.apiKey, NO_REQUEST)).rejects.toBeInstanceOf(UnauthorizedError);
    });

    it('CredentialCache.clear drops every cached credential', async () => {
      await create(prod, body);
      kit.credentials.clear();
      await create(prod, body);
      expect(kit.directory.resolveCalls).toEqual([prod.apiKey, prod.apiKey]);
    });
  });

  describe('signing keys', () => {
    it('loads the keyring once and signs with the new active key after a rotation is announced', async () => {
      const first = kit.directory.key('acme', 'active').kid;
      await create(prod, { userId: 'a', role: 'GUEST' });
      await create(prod, { userId: 'a', role: 'GUEST' });
      expect(kit.directory.materialCalls).toEqual(['acme']);

      await kit.directory.rotate('acme');
      const second = kit.directory.key('acme', 'active').kid;
      expect(decodeProtectedHeader((await create(prod, { userId: 'a', role: 'GUEST' })).accessToken).kid).toBe(first);
      kit.keyrings.invalidate('acme');
      expect(decodeProtectedHeader((await create(prod, { userId: 'a', role: 'GUEST' })).accessToken).kid).toBe(second);
    });

    it.each(['EdDSA', 'RS256'] as const)('signs with %s when that is the tenant algorithm', async (alg) => {
      await kit.directory.addTenant('globex', alg);
      const key = kit.directory.addApiKey('globex', 'production');
      const token = (await create(key, { userId: 'a', role: 'GUEST' })).accessToken;
      expect(decodeProtectedHeader(token)).toMatchObject({ alg, kid: kit.directory.key('globex', 'active').kid, typ: 'at+jwt' });
      expect(decodeJwt(token).iss).toBe(`${PUBLIC_URL}/realms/globex`);
    });

    it('is UnavailableError when the tenant has no active key', async () => {
      kit.directory.setState('acme', kit.directory.key('acme', 'active').kid, 'retiring');
      await expect(create(prod, { userId: 'a', role: 'GUEST' })).rejects.toBeInstanceOf(UnavailableError);
    });
  });
});
