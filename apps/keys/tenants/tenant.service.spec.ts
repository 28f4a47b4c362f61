import { DEFAULT_ROLE_MATRIX } from '@roomkey/contracts';
import { Logger } from '@nestjs/common';
import { ConflictError, InvalidRequestError, NotFoundError } from '@roomkey/errors';
import { KIT_START, createKeysTestKit, type KeysTestKit } from '../testing/keys-test-kit';
import { TenantHandlers } from './tenant.handlers';
import { NO_REQUEST } from '@roomkey/nats';

Logger.overrideLogger(false);

async function expectError<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}

describe('TenantService', () => {
  let kit: KeysTestKit;

  /** Through the handler, as a request arrives: the body is validated before the service sees it. */
  const createTenant = (body: unknown) => new TenantHandlers(kit.tenants).create({ body }, NO_REQUEST);

  beforeEach(() => {
    kit = createKeysTestKit();
  });

  describe('create', () => {
    it('creates a tenant with the documented defaults', async () => {
      const view = await kit.tenants.create({ shortcode: 'acme', name: 'Acme Video' }, NO_REQUEST);
      expect(view).toEqual({
        shortcode: 'acme',
        name: 'Acme Video',
        loginUrl: null,
        guestAccess: false,
        anonymousAccess: false,
        signingAlg: 'ES256',
        roleMatrix: DEFAULT_ROLE_MATRIX,
        createdAt: new Date(KIT_START).toISOString(),
      });
      expect(kit.store.allTenants()).toEqual([
        { shortcode: 'acme', name: 'Acme Video', loginUrl: null, guestAccess: false, anonymousAccess: false, signingAlg: 'ES256', roleMatrix: null, createdAt: KIT_START },
      ]);
    });

    it('keeps every optional field it is given', async () => {
      const view = await kit.tenants.create({
        shortcode: 'globex',
        name: 'Globex',
        loginUrl: 'https://globex.example/login',
        guestAccess: true,
        anonymousAccess: true,
        signingAlg: 'EdDSA',
      }, NO_REQUEST);
      expect(view).toMatchObject({ loginUrl: 'https://globex.example/login', guestAccess: true, anonymousAccess: true, signingAlg: 'EdDSA' });
      expect(kit.store.allSigningKeys('globex').map((k) => k.alg)).toEqual(['EdDSA', 'EdDSA']);
    });

    it('creates one active and one next signing key of the tenant algorithm', async () => {
      await kit.tenants.create({ shortcode: 'acme', name: 'Acme', signingAlg: 'RS256' }, NO_REQUEST);
      const keys = kit.store.allSigningKeys('acme');
      expect(keys.map((k) => k.state).sort()).toEqual(['active', 'next']);
      const active = keys.find((k) => k.state === 'active')!;
      const next = keys.find((k) => k.state === 'next')!;
      expect(active.kid).not.toBe(next.kid);
      expect(active.activatedAt).toBe(KIT_START);
      expect(next.activatedAt).toBeNull();
      for (const key of keys) {
        expect(key.alg).toBe('RS256');
        expect(key.publicJwk).toMatchObject({ kty: 'RSA', kid: key.kid, alg: 'RS256', use: 'sig' });
        expect(key.publicJwk).not.toHaveProperty('d');
        expect(key.retiringAt).toBeNull();
        expect(key.retireAfter).toBeNull();
        const privateJwk = JSON.parse(kit.secretBox.open(key.privateJwkCiphertext, key.kid));
        expect(privateJwk).toMatchObject({ kid: key.kid, n: key.publicJwk.n });
        expect(typeof privateJwk.d).toBe('string');
      }
    });

    it('emits tenant.created once, after storing', async () => {
      await kit.tenants.create({ shortcode: 'acme', name: 'Acme' }, NO_REQUEST);
      expect(kit.events.events).toEqual([{ tenant: 'acme', type: 'tenant.created', fields: {} }]);
    });

    it.each([
      ['shortcode', { name: 'x' }],
      ['shortcode', { shortcode: 'A', name: 'x' }],
      ['shortcode', { shortcode: '-acme', name: 'x' }],
      ['shortcode', { shortcode: 'acme_video', name: 'x' }],
      ['shortcode', { shortcode: 42, name: 'x' }],
      ['name', { shortcode: 'acme' }],
      ['name', { shortcode: 'acme', name: '' }],
      ['name', { shortcode: 'acme', name: 'n'.repeat(256) }],
      ['name', { shortcode: 'acme', name: 'bad\u0000name' }],
      ['loginUrl', { shortcode: 'acme', name: 'x', loginUrl: 'ftp://x.example/' }],
      ['loginUrl', { shortcode: 'acme', name: 'x', loginUrl: '/login' }],
      ['guestAccess', { shortcode: 'acme', name: 'x', guestAccess: 'yes' }],
      ['anonymousAccess', { shortcode: 'acme', name: 'x', anonymousAccess: 1 }],
      ['signingAlg', { shortcode: 'acme', name: 'x', signingAlg: 'HS256' }],
      ['signingAlg', { shortcode: 'acme', name: 'x', signingAlg: 'none' }],
    ])('rejects a bad %s with 400 naming it, storing nothing', async (field, body) => {
      const error = await expectError(createTenant(body), InvalidRequestError);
      expect(error.status).toBe(400);
      expect(error.details.field).toBe(field);
      expect(error.message).toContain(`'${field}'`);
      expect(kit.store.allTenants()).toEqual([]);
      expect(kit.store.allSigningKeys()).toEqual([]);
      expect(kit.events.events).toEqual([]);
    });

    it('rejects an unknown field, naming it', async () => {
      const error = await expectError(createTenant({ shortcode: 'acme', name: 'x', guestacess: true }), InvalidRequestError);
      expect(error.details.field).toBe('guestacess');
      expect(error.message).toContain("'guestacess'");
      expect(kit.store.allTenants()).toEqual([]);
    });

    it.each([[null], [[]], ['acme'], [undefined]])('rejects the non-object body %p', async (body) => {
      await expectError(createTenant(body), InvalidRequestError);
    });

    it('answers 409 for an existing shortcode and changes nothing', async () => {
      await kit.tenants.create({ shortcode: 'acme', name: 'Acme' }, NO_REQUEST);
      const keysBefore = kit.store.allSigningKeys();
      const error = await expectError(kit.tenants.create({ shortcode: 'acme', name: 'Other' }, NO_REQUEST), ConflictError);
      expect(error.status).toBe(409);
      expect(error.message).toContain('acme');
      expect(kit.store.allTenants()).toHaveLength(1);
      expect(kit.store.allTenants()[0].name).toBe('Acme');
      expect(kit.store.allSigningKeys()).toEqual(keysBefore);
      expect(kit.events.ofType('tenant.created')).toHaveLength(1);
    });

    it('answers 409 (never 500) to the loser of two concurrent creates of one shortcode', async () => {
      const results = await Promise.allSettled([
        kit.tenants.create({ shortcode: 'acme', name: 'First' }, NO_REQUEST),
        kit.tenants.create({ shortcode: 'acme', name: 'Second' }, NO_REQUEST),
      ]);
      const fulfilled = results.filter((r) => r.status === 'fulfilled');
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(fulfilled).toHaveLength(1);
      expect(rejected).toHaveLength(1);
      expect(rejected[0].reason).toBeInstanceOf(ConflictError);
      expect(kit.store.allTenants()).toHaveLength(1);
      expect(kit.store.allSigningKeys('acme')).toHaveLength(2);
      expect(kit.events.ofType('tenant.created')).toHaveLength(1);
    });

    it('keeps tenants apart', async () => {
      await kit.tenants.create({ shortcode: 'acme', name: 'Acme' }, NO_REQUEST);
      await kit.tenants.create({ shortcode: 'globex', name: 'Globex' }, NO_REQUEST);
      expect(kit.store.allSigningKeys('acme')).toHaveLength(2);
      expect(kit.store.allSigningKeys('globex')).toHaveLength(2);
      expect(kit.events.events.map((e) => e.tenant)).toEqual(['acme', 'globex']);
    });
  });

  describe('get', () => {
    it('returns the tenant view', async () => {
      const created = await kit.tenants.create({ shortcode: 'acme', name: 'Acme' }, NO_REQUEST);
      await expect(kit.tenants.get('acme')).resolves.toEqual(created);
    });

    it.each(['nope', 'ACME', '../etc', '', 5, null, undefined])('is NotFoundError for the unknown tenant %p', async (shortcode) => {
      await kit.tenants.create({ shortcode: 'acme', name: 'Acme' }, NO_REQUEST);
      const error = await expectError(kit.tenants.get(shortcode), NotFoundError);
      expect(error.status).toBe(404);
    });
  });
});
