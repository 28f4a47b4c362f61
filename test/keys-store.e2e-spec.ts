/**
 * One contract for the keys service's store, run against every implementation: the in-memory fake
 * the unit tests use, SQLite and PostgreSQL (ROOMKEY_TEST_DATABASES picks the databases). A
 * behaviour the unit tests rely on must hold on the real databases too, and the other way round.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { keysDataSourceOptions } from '../apps/keys/persistence/data-source';
import { TypeOrmKeysStore } from '../apps/keys/persistence/typeorm-keys.store';
import type { ApiKeyRecord, KeysStore, OAuthClientRecord, SigningKeyRecord, TenantRecord } from '../apps/keys/ports';
import { InMemoryKeysStore } from '../apps/keys/testing/in-memory-keys.store';
import { InMemoryWebhookStore, TypeOrmWebhookStore, type WebhookRecord, type WebhookStore } from '../apps/keys/webhooks/webhook.store';
import { createPostgresDatabase, testDatabases } from './support/harness';

interface OpenStore {
  store: KeysStore;
  /** The webhook registrations (the keys service's other table set). */
  webhooks: WebhookStore;
  close(): Promise<void>;
}

async function openTypeOrm(options: ConstructorParameters<typeof DataSource>[0], cleanup: () => Promise<void> | void): Promise<OpenStore> {
  const dataSource = await new DataSource(options).initialize(); // runs the migrations
  return {
    store: new TypeOrmKeysStore(dataSource),
    webhooks: new TypeOrmWebhookStore(dataSource),
    async close() {
      await dataSource.destroy();
      await cleanup();
    },
  };
}

const IMPLEMENTATIONS: Array<[string, () => Promise<OpenStore>]> = [
  ['in-memory', async () => ({ store: new InMemoryKeysStore(), webhooks: new InMemoryWebhookStore(), close: async () => undefined })],
];
if (testDatabases().includes('sqlite')) {
  IMPLEMENTATIONS.push([
    'sqlite',
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'roomkey-store-'));
      return openTypeOrm(keysDataSourceOptions({ databaseUrl: undefined, dataDir }), () => rmSync(dataDir, { recursive: true, force: true }));
    },
  ]);
}
if (testDatabases().includes('postgres')) {
  IMPLEMENTATIONS.push([
    'postgres',
    async () => {
      const database = await createPostgresDatabase();
      return openTypeOrm(keysDataSourceOptions({ databaseUrl: database.url, dataDir: '/nonexistent' }), () => database.drop());
    },
  ]);
}

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0, 123);
const byId = <T>(id: (r: T) => string) => (a: T, b: T) => id(a).localeCompare(id(b));

/** Ids unique per test, so the tests share one database without seeing each other's rows. */
const unique = (prefix: string) => `${prefix}${randomBytes(5).toString('hex')}`;

function tenant(overrides: Partial<TenantRecord> = {}): TenantRecord {
  return {
    shortcode: unique('t'),
    name: 'Acme Streaming',
    loginUrl: null,
    guestAccess: false,
    anonymousAccess: true,
    signingAlg: 'ES256',
    roleMatrix: null,
    createdAt: T0,
    deletedAt: null,
    ...overrides,
  };
}

function apiKey(tenantId: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    apiKey: unique('rk_prod_'),
    tenant: tenantId,
    environment: 'production',
    name: null,
    secretHash: 'a'.repeat(64),
    secretCiphertext: 'sealed-secret',
    createdAt: T0,
    revokedAt: null,
    previousSecretHash: null,
    previousSecretValidUntil: null,
    lastUsedAt: null,
    ...overrides,
  };
}

function signingKey(tenantId: string, overrides: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  return {
    kid: unique('kid-'),
    tenant: tenantId,
    alg: 'ES256',
    state: 'next',
    publicJwk: { kty: 'EC', crv: 'P-256', x: 'x-coordinate', y: 'y-coordinate' },
    privateJwkCiphertext: 'sealed-private-jwk',
    createdAt: T0,
    activatedAt: null,
    retiringAt: null,
    retireAfter: null,
    retiredAt: null,
    ...overrides,
  };
}

function client(tenantId: string, overrides: Partial<OAuthClientRecord> = {}): OAuthClientRecord {
  return {
    clientId: unique('rkc_'),
    tenant: tenantId,
    name: 'Web app',
    public: false,
    grantTypes: ['client_credentials', 'refresh_token'],
    redirectUris: ['https://app.test/cb', 'https://app.test/other?x=1'],
    audiences: ['roomkey'],
    scopes: [],
    accessTokenTtl: 600,
    secretHash: 'b'.repeat(64),
    previousSecretHash: null,
    previousSecretValidUntil: null,
    createdAt: T0,
    revokedAt: null,
    ...overrides,
  };
}

function webhook(tenantId: string, overrides: Partial<WebhookRecord> = {}): WebhookRecord {
  return {
    id: unique('wh_'),
    tenant: tenantId,
    url: `https://hooks.example.test/roomkey?token=${'x'.repeat(1900)}`,
    events: ['token.revoked', 'tokens.revoked-before'],
    secretCiphertext: 'sealed-webhook-secret',
    createdAt: T0,
    ...overrides,
  };
}

describe.each(IMPLEMENTATIONS)('webhook store contract (%s)', (name, open) => {
  let opened: OpenStore;
  let webhooks: WebhookStore;

  beforeAll(async () => {
    opened = await open();
    webhooks = opened.webhooks;
  });

  afterAll(async () => {
    await opened?.close();
  });

  it('stores a webhook as given (long URL, event types in order) and finds it by id', async () => {
    const record = webhook(unique('t'));
    await webhooks.insert(record);
    expect(await webhooks.find(record.id)).toEqual(record);
    expect(await webhooks.find(unique('wh_'))).toBeNull();
  });

  it('refuses a second webhook with the same id', async () => {
    const record = webhook(unique('t'));
    await webhooks.insert(record);
    await expect(webhooks.insert({ ...record, url: 'https://other.test/' })).rejects.toThrow();
    expect(await webhooks.find(record.id)).toEqual(record);
  });

  it('lists a tenant’s webhooks oldest first, and every tenant’s for the delivery worker', async () => {
    const owner = unique('t');
    const later = webhook(owner, { createdAt: T0 + 1000, events: ['tenant.updated'] });
    const earlier = webhook(owner, { createdAt: T0 });
    const foreign = webhook(unique('t'));
    for (const record of [later, foreign, earlier]) await webhooks.insert(record);
    expect(await webhooks.listByTenant(owner)).toEqual([earlier, later]);
    const all = await webhooks.listAll();
    for (const record of [earlier, later, foreign]) expect(all).toContainEqual(record);
    expect(all.indexOf(all.find((r) => r.id === earlier.id)!)).toBeLessThan(all.indexOf(all.find((r) => r.id === later.id)!));
  });

  it('deletes a webhook (true), and says false for one that is not there', async () => {
    const owner = unique('t');
    const kept = webhook(owner);
    const gone = webhook(owner);
    await webhooks.insert(kept);
    await webhooks.insert(gone);
    expect(await webhooks.delete(gone.id)).toBe(true);
    expect(await webhooks.delete(gone.id)).toBe(false);
    expect(await webhooks.find(gone.id)).toBeNull();
    expect(await webhooks.listByTenant(owner)).toEqual([kept]);
  });

  if (name !== 'in-memory') {
    it('loses a purged tenant’s webhooks with it', async () => {
      const record = tenant({ deletedAt: T0 });
      await opened.store.tenants.insert(record);
      const hook = webhook(record.shortcode);
      await webhooks.insert(hook);
      await opened.store.tenants.purge(record.shortcode);
      expect(await webhooks.find(hook.id)).toBeNull();
    });
  }
});

describe.each(IMPLEMENTATIONS)('keys store contract (%s)', (_name, open) => {
  let opened: OpenStore;
  let store: KeysStore;

  beforeAll(async () => {
    opened = await open();
    store = opened.store;
  });

  afterAll(async () => {
    await opened?.close();
  });

  /** A stored tenant's shortcode (keys and clients must name one). */
  async function storedTenant(): Promise<string> {
    const record = tenant();
    await store.tenants.insert(record);
    return record.shortcode;
  }

  describe('tenants', () => {
    it('finds what was inserted, field for field, and null for an unknown shortcode', async () => {
      const plain = tenant();
      const custom = tenant({ loginUrl: 'https://login.test/?a=b', guestAccess: true, signingAlg: 'RS256', roleMatrix: { GUEST: ['live:read', 'webrtc:join'] } });
      await store.tenants.insert(plain);
      await store.tenants.insert(custom);
      expect(await store.tenants.find(plain.shortcode)).toEqual(plain);
      expect(await store.tenants.find(custom.shortcode)).toEqual(custom);
      expect(await store.tenants.find(unique('missing'))).toBeNull();
    });

    it('refuses a second tenant with the same shortcode and keeps the first', async () => {
      const first = tenant();
      await store.tenants.insert(first);
      await expect(store.tenants.insert({ ...first, name: 'Impostor' })).rejects.toThrow();
      expect(await store.tenants.find(first.shortcode)).toEqual(first);
    });

    it('hands out copies: changing a found record changes nothing stored', async () => {
      const record = tenant();
      await store.tenants.insert(record);
      const found = (await store.tenants.find(record.shortcode))!;
      found.name = 'changed';
      expect(await store.tenants.find(record.shortcode)).toEqual(record);
    });
  });

  describe('API keys', () => {
    it('finds, lists by tenant only, and marks revoked without touching the others', async () => {
      const owner = tenant();
      const other = tenant();
      await store.tenants.insert(owner);
      await store.tenants.insert(other);
      const first = apiKey(owner.shortcode, { name: 'backend' });
      const second = apiKey(owner.shortcode, { environment: 'development', apiKey: unique('rk_dev_'), createdAt: T0 + 1 });
      const foreign = apiKey(other.shortcode);
      for (const record of [first, second, foreign]) await store.apiKeys.insert(record);

      expect(await store.apiKeys.find(first.apiKey)).toEqual(first);
      expect(await store.apiKeys.find(unique('rk_prod_'))).toBeNull();
      const listed = await store.apiKeys.listByTenant(owner.shortcode);
      expect(listed.sort(byId((k) => k.apiKey))).toEqual([first, second].sort(byId((k) => k.apiKey)));

      await store.apiKeys.markRevoked(first.apiKey, T0 + 5000);
      expect(await store.apiKeys.find(first.apiKey)).toEqual({ ...first, revokedAt: T0 + 5000 });
      expect(await store.apiKeys.find(second.apiKey)).toEqual(second);
      expect(await store.apiKeys.find(foreign.apiKey)).toEqual(foreign);
    });

    it('marking an unknown key revoked changes nothing and does not fail', async () => {
      await expect(store.apiKeys.markRevoked(unique('rk_prod_'), T0)).resolves.toBeUndefined();
    });

    it('lists nothing for a tenant without keys', async () => {
      expect(await store.apiKeys.listByTenant(unique('t'))).toEqual([]);
    });

    it('refuses a duplicate API key', async () => {
      const record = apiKey(await storedTenant());
      await store.apiKeys.insert(record);
      await expect(store.apiKeys.insert({ ...record, name: 'again' })).rejects.toThrow();
      expect(await store.apiKeys.find(record.apiKey)).toEqual(record);
    });
  });

  describe('signing keys', () => {
    it('lists a tenant’s keys, optionally by state, with the public JWK intact', async () => {
      const owner = await storedTenant();
      const active = signingKey(owner, { state: 'active', activatedAt: T0 });
      const next = signingKey(owner);
      const retired = signingKey(owner, { state: 'retired', activatedAt: T0 - 10, retiringAt: T0 - 5, retireAfter: T0 - 2, retiredAt: T0 - 1 });
      const foreign = signingKey(await storedTenant(), { state: 'active', activatedAt: T0 });
      for (const record of [active, next, retired, foreign]) await store.signingKeys.insert(record);

      const sort = byId<SigningKeyRecord>((k) => k.kid);
      expect((await store.signingKeys.listByTenant(owner)).sort(sort)).toEqual([active, next, retired].sort(sort));
      expect((await store.signingKeys.listByTenant(owner, ['active', 'next'])).sort(sort)).toEqual([active, next].sort(sort));
      expect(await store.signingKeys.listByTenant(owner, ['retiring'])).toEqual([]);
    });

    it('updates a key’s state and times', async () => {
      const owner = await storedTenant();
      const key = signingKey(owner, { state: 'active', activatedAt: T0 });
      await store.signingKeys.insert(key);
      const retiring = { ...key, state: 'retiring' as const, retiringAt: T0 + 1000, retireAfter: T0 + 61_000 };
      await store.signingKeys.update(retiring);
      expect(await store.signingKeys.listByTenant(owner)).toEqual([retiring]);
    });

    it('finds retiring keys whose retireAfter has passed, and tenants whose active key is older than a time', async () => {
      const owner = await storedTenant();
      const fresh = await storedTenant();
      const due = signingKey(owner, { state: 'retiring', activatedAt: T0, retiringAt: T0 + 10, retireAfter: T0 + 100 });
      const notDue = signingKey(owner, { state: 'retiring', activatedAt: T0, retiringAt: T0 + 10, retireAfter: T0 + 200 });
      const old = signingKey(owner, { state: 'active', activatedAt: T0 });
      const young = signingKey(fresh, { state: 'active', activatedAt: T0 + 500 });
      for (const record of [due, notDue, old, young]) await store.signingKeys.insert(record);

      const retirable = (await store.signingKeys.listRetirable(T0 + 100)).filter((k) => k.tenant === owner);
      expect(retirable).toEqual([due]);
      const stale = (await store.signingKeys.listTenantsWithActiveKeyOlderThan(T0 + 500)).filter((t) => t === owner || t === fresh);
      expect(stale).toEqual([owner]);
    });

    it('refuses a duplicate kid', async () => {
      const key = signingKey(await storedTenant());
      await store.signingKeys.insert(key);
      await expect(store.signingKeys.insert({ ...key, state: 'active' })).rejects.toThrow();
      expect(await store.signingKeys.listByTenant(key.tenant)).toEqual([key]);
    });
  });

  describe('OAuth clients', () => {
    it('finds, lists by tenant, and updates (secret rotation, revocation) with lists intact', async () => {
      const owner = await storedTenant();
      const confidential = client(owner);
      const spa = client(owner, { public: true, secretHash: null, grantTypes: ['authorization_code'], scopes: ['rooms', 'profile'], name: null });
      const foreign = client(await storedTenant());
      for (const record of [confidential, spa, foreign]) await store.clients.insert(record);

      expect(await store.clients.find(confidential.clientId)).toEqual(confidential);
      expect(await store.clients.find(spa.clientId)).toEqual(spa);
      expect(await store.clients.find(unique('rkc_'))).toBeNull();
      const sort = byId<OAuthClientRecord>((c) => c.clientId);
      expect((await store.clients.listByTenant(owner)).sort(sort)).toEqual([confidential, spa].sort(sort));

      const rotated = { ...confidential, secretHash: 'c'.repeat(64), previousSecretHash: confidential.secretHash, previousSecretValidUntil: T0 + 3600_000 };
      await store.clients.update(rotated);
      expect(await store.clients.find(confidential.clientId)).toEqual(rotated);
      const revoked = { ...rotated, revokedAt: T0 + 10 };
      await store.clients.update(revoked);
      expect(await store.clients.find(confidential.clientId)).toEqual(revoked);
      expect(await store.clients.find(spa.clientId)).toEqual(spa);
    });

    it('refuses a duplicate client id', async () => {
      const record = client(await storedTenant());
      await store.clients.insert(record);
      await expect(store.clients.insert({ ...record, name: 'again' })).rejects.toThrow();
      expect(await store.clients.find(record.clientId)).toEqual(record);
    });
  });

  describe('references', () => {
    it('refuses an API key, a signing key or a client of a tenant that is not stored', async () => {
      const missing = unique('t');
      await expect(store.apiKeys.insert(apiKey(missing))).rejects.toThrow();
      await expect(store.signingKeys.insert(signingKey(missing))).rejects.toThrow();
      await expect(store.clients.insert(client(missing))).rejects.toThrow();
      expect(await store.apiKeys.listByTenant(missing)).toEqual([]);
      expect(await store.signingKeys.listByTenant(missing)).toEqual([]);
      expect(await store.clients.listByTenant(missing)).toEqual([]);
    });
  });

  describe('transactions', () => {
    it('commits every write and returns the work’s result', async () => {
      const record = tenant();
      const key = signingKey(record.shortcode, { state: 'active', activatedAt: T0 });
      const result = await store.transaction(async (tx) => {
        await tx.tenants.insert(record);
        await tx.signingKeys.insert(key);
        // The transaction sees its own writes.
        expect(await tx.tenants.find(record.shortcode)).toEqual(record);
        return 'done';
      });
      expect(result).toBe('done');
      expect(await store.tenants.find(record.shortcode)).toEqual(record);
      expect(await store.signingKeys.listByTenant(record.shortcode)).toEqual([key]);
    });

    it('rolls back every write when the work throws, and rethrows that error', async () => {
      const record = tenant();
      const failure = new Error('work failed');
      await expect(
        store.transaction(async (tx) => {
          await tx.tenants.insert(record);
          await tx.apiKeys.insert(apiKey(record.shortcode));
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await store.tenants.find(record.shortcode)).toBeNull();
      expect(await store.apiKeys.listByTenant(record.shortcode)).toEqual([]);
    });

    it('rolls back the earlier writes when a unique violation fails the transaction', async () => {
      const existing = tenant();
      await store.tenants.insert(existing);
      const key = apiKey(existing.shortcode);
      await expect(
        store.transaction(async (tx) => {
          await tx.apiKeys.insert(key);
          await tx.tenants.insert({ ...existing, name: 'duplicate' });
        }),
      ).rejects.toThrow();
      expect(await store.apiKeys.find(key.apiKey)).toBeNull();
      expect(await store.tenants.find(existing.shortcode)).toEqual(existing);
    });

    it('lets exactly one of two racing transactions create the same tenant', async () => {
      const shortcode = unique('t');
      const attempt = (name: string) =>
        store.transaction(async (tx) => {
          if (await tx.tenants.find(shortcode)) throw new Error('taken');
          await tx.tenants.insert(tenant({ shortcode, name }));
          await tx.apiKeys.insert(apiKey(shortcode, { name }));
        });
      const results = await Promise.allSettled([attempt('first'), attempt('second')]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const winner = (await store.tenants.find(shortcode))!;
      const keys = await store.apiKeys.listByTenant(shortcode);
      expect(keys.map((k) => k.name)).toEqual([winner.name]);
    });
  });
});
