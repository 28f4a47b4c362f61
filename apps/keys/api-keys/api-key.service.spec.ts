import { Logger } from '@nestjs/common';
import type { KeysRoutes, RequestOf } from '@roomkey/contracts';
import { InvalidRequestError, NotFoundError } from '@roomkey/errors';
import { KIT_START, createKeysTestKit, type KeysTestKit } from '../testing/keys-test-kit';
import { ApiKeyHandlers } from './api-key.handlers';
import { NO_REQUEST } from '@roomkey/nats';

Logger.overrideLogger(false);

const SECOND = 1000;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('ApiKeyService', () => {
  let kit: KeysTestKit;
  let handlers: ApiKeyHandlers;
  /** Through the handler, as a request arrives: the tenant is found first, then the body validated. */
  const createApiKey = (tenant: string, body: unknown) => handlers.create({ tenant, body } as RequestOf<typeof KeysRoutes.createApiKey>, NO_REQUEST);

  beforeEach(async () => {
    kit = createKeysTestKit();
    handlers = new ApiKeyHandlers(kit.apiKeys, kit.tenants);
    await kit.tenants.create({ shortcode: 'acme', name: 'Acme' }, NO_REQUEST);
    await kit.tenants.create({ shortcode: 'globex', name: 'Globex' }, NO_REQUEST);
    kit.events.clear();
  });

  describe('create', () => {
    it('makes a production key with the rk_prod_ prefix and returns its secret once', async () => {
      const created = await createApiKey('acme', { environment: 'production', name: 'backend' });
      expect(created.apiKey).toMatch(/^rk_prod_[0-9A-Za-z]{24}$/);
      expect(created.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(created).toEqual({
        apiKey: created.apiKey,
        secret: created.secret,
        environment: 'production',
        name: 'backend',
        createdAt: new Date(KIT_START).toISOString(),
      });
    });

    it('makes a development key with the rk_dev_ prefix and a null name by default', async () => {
      const created = await createApiKey('acme', { environment: 'development' });
      expect(created.apiKey).toMatch(/^rk_dev_[0-9A-Za-z]{24}$/);
      expect(created.environment).toBe('development');
      expect(created.name).toBeNull();
    });

    it('gives every key a different id and secret', async () => {
      const a = await createApiKey('acme', { environment: 'production' });
      const b = await createApiKey('acme', { environment: 'production' });
      expect(a.apiKey).not.toBe(b.apiKey);
      expect(a.secret).not.toBe(b.secret);
    });

    it('stores only the keyed hash and the sealed secret, never the secret in clear', async () => {
      const created = await createApiKey('acme', { environment: 'production' });
      const [record] = kit.store.allApiKeys();
      expect(record).toMatchObject({ apiKey: created.apiKey, tenant: 'acme', environment: 'production', createdAt: KIT_START, revokedAt: null });
      expect(kit.hasher.matches(created.secret, record.secretHash)).toBe(true);
      expect(kit.hasher.matches(`${created.secret}x`, record.secretHash)).toBe(false);
      expect(kit.secretBox.open(record.secretCiphertext, created.apiKey)).toBe(created.secret);
      expect(JSON.stringify(record)).not.toContain(created.secret);
    });

    it('emits api-key.created naming the key, without the secret', async () => {
      const created = await createApiKey('acme', { environment: 'production' });
      expect(kit.events.events).toEqual([{ tenant: 'acme', type: 'api-key.created', fields: { apiKey: created.apiKey } }]);
      expect(JSON.stringify(kit.events.events)).not.toContain(created.secret);
    });

    it.each([
      ['environment', {}],
      ['environment', { environment: 'staging' }],
      ['environment', { environment: 'PRODUCTION' }],
      ['environment', { environment: 1 }],
      ['name', { environment: 'production', name: '' }],
      ['name', { environment: 'production', name: 'n'.repeat(256) }],
      ['name', { environment: 'production', name: 7 }],
      ['secret', { environment: 'production', secret: 'mine' }],
      ['apiKey', { environment: 'production', apiKey: 'rk_prod_mine' }],
    ])('rejects a bad or unknown %s with 400 naming it', async (field, body) => {
      const error = await rejection(createApiKey('acme', body));
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect((error as InvalidRequestError).details.field).toBe(field);
      expect((error as Error).message).toContain(`'${field}'`);
      expect(kit.store.allApiKeys()).toEqual([]);
      expect(kit.events.events).toEqual([]);
    });

    it.each([[null], [[]], ['production']])('rejects the non-object body %p', async (body) => {
      await expect(createApiKey('acme', body)).rejects.toBeInstanceOf(InvalidRequestError);
    });

    it('is NotFoundError for an unknown tenant (before looking at the body)', async () => {
      await expect(createApiKey('initech', { environment: 'production' })).rejects.toBeInstanceOf(NotFoundError);
      await expect(createApiKey('initech', 'not an object')).rejects.toBeInstanceOf(NotFoundError);
      expect(kit.store.allApiKeys()).toEqual([]);
    });
  });

  describe('list', () => {
    it("lists the tenant's keys oldest first, never with a secret, hash or ciphertext", async () => {
      const first = await createApiKey('acme', { environment: 'production', name: 'one' });
      kit.clock.advance(SECOND);
      const second = await createApiKey('acme', { environment: 'development' });
      await createApiKey('globex', { environment: 'production' });

      const items = await kit.apiKeys.list('acme');
      expect(items).toEqual([
        { apiKey: first.apiKey, environment: 'production', name: 'one', createdAt: new Date(KIT_START).toISOString(), revokedAt: null, lastUsedAt: null },
        { apiKey: second.apiKey, environment: 'development', name: null, createdAt: new Date(KIT_START + SECOND).toISOString(), revokedAt: null, lastUsedAt: null },
      ]);
      const text = JSON.stringify(items);
      for (const created of [first, second]) expect(text).not.toContain(created.secret);
      for (const record of kit.store.allApiKeys()) {
        expect(text).not.toContain(record.secretHash);
        expect(text).not.toContain(record.secretCiphertext);
      }
    });

    it('is empty for a tenant without keys and NotFoundError for an unknown tenant', async () => {
      await expect(kit.apiKeys.list('globex')).resolves.toEqual([]);
      await expect(kit.apiKeys.list('initech')).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('revoke', () => {
    it('marks the key revoked and emits api-key.revoked', async () => {
      const created = await createApiKey('acme', { environment: 'production' });
      kit.events.clear();
      kit.clock.advance(10 * SECOND);

      await kit.apiKeys.revoke('acme', created.apiKey, NO_REQUEST);

      expect(kit.store.allApiKeys()[0].revokedAt).toBe(KIT_START + 10 * SECOND);
      expect((await kit.apiKeys.list('acme'))[0].revokedAt).toBe(new Date(KIT_START + 10 * SECOND).toISOString());
      expect(kit.events.events).toEqual([{ tenant: 'acme', type: 'api-key.revoked', fields: { apiKey: created.apiKey } }]);
    });

    it('is harmless to repeat: the first revocation time stays, the event is sent again', async () => {
      const created = await createApiKey('acme', { environment: 'production' });
      await kit.apiKeys.revoke('acme', created.apiKey, NO_REQUEST);
      kit.clock.advance(SECOND);
      await kit.apiKeys.revoke('acme', created.apiKey, NO_REQUEST);
      expect(kit.store.allApiKeys()[0].revokedAt).toBe(KIT_START);
      expect(kit.events.ofType('api-key.revoked')).toHaveLength(2);
    });

    it.each([['rk_prod_doesnotexist'], ['']])('is NotFoundError for the unknown key %p', async (apiKey) => {
      await createApiKey('acme', { environment: 'production' });
      kit.events.clear();
      const error = await rejection(kit.apiKeys.revoke('acme', apiKey, NO_REQUEST));
      expect(error).toBeInstanceOf(NotFoundError);
      expect(kit.events.events).toEqual([]);
    });

    it.each([[42], [undefined]])('refuses the non-string key %p at the boundary, naming the field', async (apiKey) => {
      await createApiKey('acme', { environment: 'production' });
      kit.events.clear();
      const error = await rejection(handlers.revoke({ tenant: 'acme', apiKey }, NO_REQUEST));
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect((error as InvalidRequestError).details.field).toBe('apiKey');
      expect(kit.events.events).toEqual([]);
    });

    it("is NotFoundError for another tenant's key, which stays valid", async () => {
      const globexKey = await createApiKey('globex', { environment: 'production' });
      kit.events.clear();
      await expect(kit.apiKeys.revoke('acme', globexKey.apiKey, NO_REQUEST)).rejects.toBeInstanceOf(NotFoundError);
      expect(kit.store.allApiKeys()[0].revokedAt).toBeNull();
      expect((await kit.apiKeys.resolve(globexKey.apiKey))!.revoked).toBe(false);
      expect(kit.events.events).toEqual([]);
    });

    it('is NotFoundError for an unknown tenant', async () => {
      const created = await createApiKey('acme', { environment: 'production' });
      await expect(kit.apiKeys.revoke('initech', created.apiKey, NO_REQUEST)).rejects.toBeInstanceOf(NotFoundError);
      expect(kit.store.allApiKeys()[0].revokedAt).toBeNull();
    });
  });

  describe('reports of use (lastUsedAt)', () => {
    const lastUsed = async (tenant: string, apiKey: string) => (await kit.apiKeys.list(tenant)).find((k) => k.apiKey === apiKey)?.lastUsedAt;

    it('records several keys from one report, the batched form and the single-key form alike', async () => {
      const a = await createApiKey('acme', { environment: 'production' });
      const b = await createApiKey('globex', { environment: 'production' });
      await handlers.used({ uses: [{ apiKey: a.apiKey, usedAt: KIT_START }, { apiKey: b.apiKey, usedAt: KIT_START - SECOND }] });
      expect(await lastUsed('acme', a.apiKey)).toBe(new Date(KIT_START).toISOString());
      expect(await lastUsed('globex', b.apiKey)).toBe(new Date(KIT_START - SECOND).toISOString());
      await handlers.used({ apiKey: b.apiKey, usedAt: KIT_START });
      expect(await lastUsed('globex', b.apiKey)).toBe(new Date(KIT_START).toISOString());
    });

    it('never moves lastUsedAt back or into the future, and skips unknown keys', async () => {
      const a = await createApiKey('acme', { environment: 'production' });
      await handlers.used({ uses: [{ apiKey: a.apiKey, usedAt: KIT_START + 3600 * SECOND }, { apiKey: 'rk_prod_unknown', usedAt: KIT_START }] });
      expect(await lastUsed('acme', a.apiKey)).toBe(new Date(KIT_START).toISOString());
      await handlers.used({ uses: [{ apiKey: a.apiKey, usedAt: KIT_START - SECOND }] });
      expect(await lastUsed('acme', a.apiKey)).toBe(new Date(KIT_START).toISOString());
    });

    it('refuses a report of more than 500 keys', async () => {
      const uses = Array.from({ length: 501 }, (_, i) => ({ apiKey: `rk_prod_${i}`, usedAt: KIT_START }));
      expect(await rejection(handlers.used({ uses }))).toBeInstanceOf(InvalidRequestError);
    });
  });

  describe('resolve', () => {
    it('returns the credential record (hash and sealed secret, never the secret) with the revoked flag', async () => {
      const created = await createApiKey('acme', { environment: 'development' });
      const resolved = await kit.apiKeys.resolve(created.apiKey);
      expect(resolved).toEqual({
        apiKey: created.apiKey,
        tenant: 'acme',
        environment: 'development',
        secretHash: kit.store.allApiKeys()[0].secretHash,
        secretCiphertext: kit.store.allApiKeys()[0].secretCiphertext,
        revoked: false,
      });
      expect(kit.hasher.matches(created.secret, resolved!.secretHash)).toBe(true);
      expect(kit.secretBox.open(resolved!.secretCiphertext, created.apiKey)).toBe(created.secret);
      expect(JSON.stringify(resolved)).not.toContain(created.secret);

      await kit.apiKeys.revoke('acme', created.apiKey, NO_REQUEST);
      await expect(kit.apiKeys.resolve(created.apiKey)).resolves.toMatchObject({ revoked: true });
    });

    it.each([['rk_prod_unknown'], [''], ['x'.repeat(65)]])('is null for %p', async (apiKey) => {
      await createApiKey('acme', { environment: 'production' });
      await expect(kit.apiKeys.resolve(apiKey)).resolves.toBeNull();
    });

    it.each([[5], [null], [{ apiKey: 'x' }]])('refuses the non-string key %p at the boundary', async (apiKey) => {
      await expect(handlers.resolve({ apiKey })).rejects.toBeInstanceOf(InvalidRequestError);
    });
  });
});
