/** The admin lifecycle in the keys service: tenants listed, patched and deleted; API keys renamed, rotated, their use recorded. */
import { Logger } from '@nestjs/common';
import { DEFAULT_ROLE_MATRIX, type KeysRoutes, type RequestOf } from '@roomkey/contracts';
import { ConflictError, InvalidRequestError, NotFoundError } from '@roomkey/errors';
import { ApiKeyHandlers } from '../api-keys/api-key.handlers';
import { KIT_START, createKeysTestKit, type KeysTestKit } from '../testing/keys-test-kit';
import { TenantHandlers } from './tenant.handlers';
import { NO_REQUEST } from '@roomkey/nats';

Logger.overrideLogger(false);

const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e);

describe('admin lifecycle (keys service)', () => {
  let kit: KeysTestKit;
  let tenants: TenantHandlers;
  let apiKeys: ApiKeyHandlers;
  const patch = (tenant: string, body: unknown) => tenants.update({ tenant, body } as RequestOf<typeof KeysRoutes.updateTenant>, NO_REQUEST);

  beforeEach(async () => {
    kit = createKeysTestKit();
    tenants = new TenantHandlers(kit.tenants);
    apiKeys = new ApiKeyHandlers(kit.apiKeys, kit.tenants);
    for (const shortcode of ['delta', 'alpha', 'charlie', 'bravo', 'echo']) await kit.tenants.create({ shortcode, name: shortcode }, NO_REQUEST);
    kit.events.clear();
  });

  describe('list', () => {
    it('pages in shortcode order with an opaque cursor, null at the end', async () => {
      const first = await tenants.list({ limit: 2 });
      expect(first.items.map((t) => t.shortcode)).toEqual(['alpha', 'bravo']);
      expect(first.nextCursor).toEqual(expect.any(String));
      expect(first.nextCursor).not.toContain('bravo');
      const second = await tenants.list({ limit: 2, cursor: first.nextCursor! });
      expect(second.items.map((t) => t.shortcode)).toEqual(['charlie', 'delta']);
      const last = await tenants.list({ limit: 2, cursor: second.nextCursor! });
      expect(last).toEqual({ items: [expect.objectContaining({ shortcode: 'echo' })], nextCursor: null });
      expect((await tenants.list({})).items).toHaveLength(5);
    });

    it.each([
      ['limit', { limit: 0 }],
      ['limit', { limit: 101 }],
      ['limit', { limit: '5' }],
      ['cursor', { cursor: 'not-a-cursor' }],
      ['cursor', { cursor: Buffer.from('after:UPPER').toString('base64url') }],
    ])('refuses a bad %s naming it', async (field, query) => {
      const error = (await rejection(tenants.list(query))) as InvalidRequestError;
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error.details.field).toBe(field);
    });
  });

  describe('update', () => {
    it('changes what it names, announces tenant.updated with the fields, and keeps the rest', async () => {
      const view = await patch('alpha', { guestAccess: true, loginUrl: 'https://alpha.example/login', roleMatrix: { GUEST: ['live:read'] } });
      expect(view).toMatchObject({ shortcode: 'alpha', name: 'alpha', guestAccess: true, anonymousAccess: false, loginUrl: 'https://alpha.example/login' });
      expect(view.roleMatrix).toEqual({ ...DEFAULT_ROLE_MATRIX, GUEST: ['live:read'] });
      expect(kit.events.events).toEqual([{ tenant: 'alpha', type: 'tenant.updated', fields: { fields: ['loginUrl', 'guestAccess', 'roleMatrix'] } }]);
      // A later matrix patch replaces only the roles it names; null restores the default.
      expect((await patch('alpha', { roleMatrix: { VIEWER: [] } })).roleMatrix).toEqual({ ...DEFAULT_ROLE_MATRIX, GUEST: ['live:read'], VIEWER: [] });
      const reset = await patch('alpha', { roleMatrix: null, loginUrl: null });
      expect(reset.roleMatrix).toEqual(DEFAULT_ROLE_MATRIX);
      expect(reset.loginUrl).toBeNull();
      await expect(kit.tenants.get('alpha')).resolves.toEqual(reset);
    });

    it('announces nothing when nothing changes', async () => {
      await patch('alpha', { name: 'alpha' });
      await patch('alpha', {});
      expect(kit.events.events).toEqual([]);
    });

    it.each([
      ['shortcode', { shortcode: 'other' }],
      ['signingAlg', { signingAlg: 'RS256' }],
      ['colour', { colour: 'red' }],
      ['roleMatrix', { roleMatrix: { ADMIN: ['live:read'] } }, 'ADMIN'],
      ['roleMatrix', { roleMatrix: { GUEST: ['live:read', 'fly'] } }, 'fly'],
      ['roleMatrix', { roleMatrix: ['HOST'] }],
      ['name', { name: '' }],
      ['name', { name: null }],
      ['guestAccess', { guestAccess: 'yes' }],
      ['loginUrl', { loginUrl: '/relative' }],
    ])('refuses %s with 400 naming it, changing nothing', async (field, body, named = field) => {
      const error = (await rejection(patch('alpha', body))) as InvalidRequestError;
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error.details.field).toBe(field);
      expect(error.message).toContain(named);
      expect(kit.events.events).toEqual([]);
    });

    it('is 404 for an unknown tenant, before looking at the body', async () => {
      expect(await rejection(patch('nobody', { colour: 'red' }))).toBeInstanceOf(NotFoundError);
    });
  });

  describe('delete', () => {
    it('revokes every key, client and signing key, announces each, and answers 404 from then on', async () => {
      const key = await kit.apiKeys.create(await kit.tenants.get('alpha'), { environment: 'production' }, NO_REQUEST);
      kit.events.clear();
      await tenants.delete({ tenant: 'alpha' }, NO_REQUEST);
      expect(kit.store.allApiKeys().find((k) => k.apiKey === key.apiKey)?.revokedAt).toBe(KIT_START);
      expect(kit.store.allSigningKeys('alpha').map((k) => k.state)).toEqual(['revoked', 'revoked']);
      expect(kit.events.events.map((e) => e.type)).toEqual(['api-key.revoked', 'signing-key.revoked', 'signing-key.revoked', 'tenant.deleted']);
      for (const call of [kit.tenants.get('alpha'), kit.signingKeys.jwks('alpha'), kit.apiKeys.list('alpha'), tenants.delete({ tenant: 'alpha' }, NO_REQUEST)]) {
        expect(await rejection(call)).toBeInstanceOf(NotFoundError);
      }
      expect((await kit.apiKeys.resolve(key.apiKey))?.revoked).toBe(true);
      expect((await tenants.list({})).items.map((t) => t.shortcode)).not.toContain('alpha');
    });

    it('holds the shortcode for 86400 s (409), then lets it be created afresh', async () => {
      await kit.apiKeys.create(await kit.tenants.get('alpha'), { environment: 'production' }, NO_REQUEST);
      await tenants.delete({ tenant: 'alpha' }, NO_REQUEST);
      kit.clock.advance(86_399_000);
      const held = (await rejection(kit.tenants.create({ shortcode: 'alpha', name: 'Again' }, NO_REQUEST))) as ConflictError;
      expect(held).toBeInstanceOf(ConflictError);
      expect(held.message).toContain('deleted');
      kit.clock.advance(1000);
      await expect(kit.tenants.create({ shortcode: 'alpha', name: 'Again' }, NO_REQUEST)).resolves.toMatchObject({ name: 'Again' });
      expect(kit.store.allApiKeys().filter((k) => k.tenant === 'alpha')).toEqual([]);
      expect(kit.store.allSigningKeys('alpha').map((k) => k.state).sort()).toEqual(['active', 'next']);
    });
  });

  describe('API keys', () => {
    let apiKey: string;
    let secret: string;

    beforeEach(async () => {
      ({ apiKey, secret } = await kit.apiKeys.create(await kit.tenants.get('alpha'), { environment: 'production', name: 'old' }, NO_REQUEST));
      kit.events.clear();
    });

    const rotate = (body: unknown, tenant = 'alpha', key = apiKey) => apiKeys.rotate({ tenant, apiKey: key, body } as RequestOf<typeof KeysRoutes.rotateApiKey>, NO_REQUEST);

    it('rotates: a new secret, the previous hash kept with its deadline (default 3600 s), api-key.rotated', async () => {
      const rotated = await rotate({});
      expect(rotated).toEqual({ apiKey, secret: expect.any(String), previousSecretValidUntil: new Date(KIT_START + 3_600_000).toISOString() });
      expect(rotated.secret).not.toBe(secret);
      const credential = (await kit.apiKeys.resolve(apiKey))!;
      expect(kit.hasher.matches(rotated.secret, credential.secretHash)).toBe(true);
      expect(kit.hasher.matches(secret, credential.previousSecret!.hash)).toBe(true);
      expect(credential.previousSecret!.validUntil).toBe(KIT_START + 3_600_000);
      expect(kit.secretBox.open(credential.secretCiphertext, apiKey)).toBe(rotated.secret);
      expect(kit.events.events).toEqual([{ tenant: 'alpha', type: 'api-key.rotated', fields: { apiKey } }]);
      expect((await rotate({ graceSeconds: 2 })).previousSecretValidUntil).toBe(new Date(KIT_START + 2000).toISOString());
    });

    it.each([[{ graceSeconds: -1 }], [{ graceSeconds: 604_801 }], [{ graceSeconds: 1.5 }], [{ grace: 5 }]])('refuses the body %p', async (body) => {
      expect(await rejection(rotate(body))).toBeInstanceOf(InvalidRequestError);
    });

    it('is 409 for a revoked key and 404 for another tenant’s or an unknown one', async () => {
      expect(await rejection(rotate({}, 'bravo'))).toBeInstanceOf(NotFoundError);
      expect(await rejection(rotate({}, 'alpha', 'rk_prod_nope'))).toBeInstanceOf(NotFoundError);
      await kit.apiKeys.revoke('alpha', apiKey, NO_REQUEST);
      expect(await rejection(rotate({}))).toBeInstanceOf(ConflictError);
    });

    it('renames, and records use coarsely (forward only, never in the future)', async () => {
      const renamed = await apiKeys.update({ tenant: 'alpha', apiKey, body: { name: 'new' } } as RequestOf<typeof KeysRoutes.updateApiKey>, NO_REQUEST);
      expect(renamed).toMatchObject({ apiKey, name: 'new', lastUsedAt: null });
      await apiKeys.used({ apiKey, usedAt: KIT_START - 5000 });
      await apiKeys.used({ apiKey, usedAt: KIT_START - 9000 });
      expect((await kit.apiKeys.list('alpha'))[0].lastUsedAt).toBe(new Date(KIT_START - 5000).toISOString());
      await apiKeys.used({ apiKey, usedAt: KIT_START + 10 * 60_000 });
      expect((await kit.apiKeys.list('alpha'))[0].lastUsedAt).toBe(new Date(KIT_START).toISOString());
    });
  });
});
