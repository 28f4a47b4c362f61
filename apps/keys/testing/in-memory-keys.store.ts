/**
 * Typed in-memory fakes of the keys service's ports, for unit tests (no database, no NATS).
 *
 * The store behaves like a small database: records are copied in and out (a caller cannot change
 * stored state by mutating what it got), primary keys are unique (a duplicate insert throws, like a
 * unique violation), a key or client names a stored tenant (as the foreign keys require), and `transaction` gives snapshot isolation with an all-or-nothing commit that
 * re-checks the primary keys against what other transactions committed meanwhile.
 */
import type { SigningKeyState } from '@roomkey/contracts';
import type {
  ApiKeyRecord,
  MediaPlatformRecord,
  MediaPlatformRepository,
  ApiKeyRepository,
  KeysStore,
  OAuthClientRecord,
  OAuthClientRepository,
  SigningKeyRecord,
  SigningKeyRepository,
  TenantRecord,
  TenantRepository,
} from '../ports';

interface State {
  tenants: Map<string, TenantRecord>;
  apiKeys: Map<string, ApiKeyRecord>;
  signingKeys: Map<string, SigningKeyRecord>;
  clients: Map<string, OAuthClientRecord>;
  /** Keyed `{tenant} {platform}`. */
  mediaPlatforms: Map<string, MediaPlatformRecord>;
}

type Write =
  | { kind: 'insertTenant'; record: TenantRecord }
  | { kind: 'insertApiKey'; record: ApiKeyRecord }
  | { kind: 'revokeApiKey'; apiKey: string; revokedAt: number }
  | { kind: 'updateTenant'; record: TenantRecord }
  | { kind: 'purgeTenant'; shortcode: string }
  | { kind: 'updateApiKey'; apiKey: string; changes: Partial<ApiKeyRecord> }
  | { kind: 'recordApiKeyUse'; apiKey: string; usedAt: number }
  | { kind: 'insertSigningKey'; record: SigningKeyRecord }
  | { kind: 'updateSigningKey'; record: SigningKeyRecord }
  | { kind: 'insertClient'; record: OAuthClientRecord }
  | { kind: 'updateClient'; record: OAuthClientRecord }
  | { kind: 'saveMediaPlatform'; record: MediaPlatformRecord }
  | { kind: 'removeMediaPlatform'; tenant: string; platform: string };

const platformKey = (tenant: string, platform: string) => `${tenant} ${platform}`;

/** Thrown for a duplicate primary key, as a database driver would. */
export class UniqueViolationError extends Error {}

/** Thrown for a record whose tenant is not stored, as the databases' foreign keys refuse it. */
export class ForeignKeyViolationError extends Error {}

function requireTenant(state: State, tenant: string): void {
  if (!state.tenants.has(tenant)) throw new ForeignKeyViolationError(`no tenant ${tenant}`);
}

const copy = <T>(value: T): T => structuredClone(value);

function cloneState(state: State): State {
  return {
    tenants: new Map([...state.tenants].map(([k, v]) => [k, copy(v)])),
    apiKeys: new Map([...state.apiKeys].map(([k, v]) => [k, copy(v)])),
    signingKeys: new Map([...state.signingKeys].map(([k, v]) => [k, copy(v)])),
    clients: new Map([...state.clients].map(([k, v]) => [k, copy(v)])),
    mediaPlatforms: new Map([...state.mediaPlatforms].map(([k, v]) => [k, copy(v)])),
  };
}

function apply(state: State, write: Write): void {
  switch (write.kind) {
    case 'insertTenant':
      if (state.tenants.has(write.record.shortcode)) throw new UniqueViolationError(`duplicate tenant ${write.record.shortcode}`);
      state.tenants.set(write.record.shortcode, copy(write.record));
      return;
    case 'insertApiKey':
      requireTenant(state, write.record.tenant);
      if (state.apiKeys.has(write.record.apiKey)) throw new UniqueViolationError(`duplicate API key ${write.record.apiKey}`);
      state.apiKeys.set(write.record.apiKey, copy(write.record));
      return;
    case 'revokeApiKey': {
      const record = state.apiKeys.get(write.apiKey);
      if (record) record.revokedAt = write.revokedAt;
      return;
    }
    case 'updateTenant':
      if (state.tenants.has(write.record.shortcode)) state.tenants.set(write.record.shortcode, copy(write.record));
      return;
    case 'purgeTenant':
      for (const map of [state.apiKeys, state.signingKeys, state.clients, state.mediaPlatforms] as Map<string, { tenant: string }>[]) {
        for (const [id, record] of map) if (record.tenant === write.shortcode) map.delete(id);
      }
      state.tenants.delete(write.shortcode);
      return;
    case 'updateApiKey': {
      const record = state.apiKeys.get(write.apiKey);
      if (record) Object.assign(record, copy(write.changes));
      return;
    }
    case 'recordApiKeyUse': {
      const record = state.apiKeys.get(write.apiKey);
      if (record && (record.lastUsedAt == null || record.lastUsedAt < write.usedAt)) record.lastUsedAt = write.usedAt;
      return;
    }
    case 'insertSigningKey':
      requireTenant(state, write.record.tenant);
      if (state.signingKeys.has(write.record.kid)) throw new UniqueViolationError(`duplicate signing key ${write.record.kid}`);
      state.signingKeys.set(write.record.kid, copy(write.record));
      return;
    case 'updateSigningKey':
      // Stricter than SQL (which updates zero rows silently): updating a key that was never stored is a bug.
      if (!state.signingKeys.has(write.record.kid)) throw new Error(`update of unknown signing key ${write.record.kid}`);
      state.signingKeys.set(write.record.kid, copy(write.record));
      return;
    case 'insertClient':
      requireTenant(state, write.record.tenant);
      if (state.clients.has(write.record.clientId)) throw new UniqueViolationError(`duplicate client ${write.record.clientId}`);
      state.clients.set(write.record.clientId, copy(write.record));
      return;
    case 'updateClient':
      if (!state.clients.has(write.record.clientId)) throw new Error(`update of unknown client ${write.record.clientId}`);
      state.clients.set(write.record.clientId, copy(write.record));
      return;
    case 'saveMediaPlatform': {
      requireTenant(state, write.record.tenant);
      const key = platformKey(write.record.tenant, write.record.platform);
      const existing = state.mediaPlatforms.get(key);
      state.mediaPlatforms.set(key, { ...copy(write.record), createdAt: existing?.createdAt ?? write.record.createdAt });
      return;
    }
    case 'removeMediaPlatform':
      state.mediaPlatforms.delete(platformKey(write.tenant, write.platform));
      return;
  }
}

export class InMemoryKeysStore implements KeysStore {
  readonly tenants: TenantRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly signingKeys: SigningKeyRepository;
  readonly clients: OAuthClientRepository;
  readonly mediaPlatforms: MediaPlatformRepository;
  /** Transactions committed (or rolled back) by this store, for assertions. */
  committed = 0;
  rolledBack = 0;

  constructor(
    private state: State = { tenants: new Map(), apiKeys: new Map(), signingKeys: new Map(), clients: new Map(), mediaPlatforms: new Map() },
    /** Inside a transaction: the writes to replay on commit. */
    private readonly log?: Write[],
  ) {
    const write = (w: Write) => {
      apply(this.state, w);
      this.log?.push(w);
    };
    const s = () => this.state;

    this.tenants = {
      find: async (shortcode) => copy(s().tenants.get(shortcode) ?? null),
      insert: async (record) => write({ kind: 'insertTenant', record: copy(record) }),
      update: async (record) => write({ kind: 'updateTenant', record: copy(record) }),
      listPage: async (after, limit) =>
        [...s().tenants.values()]
          .filter((t) => !t.deletedAt && (after === null || t.shortcode > after))
          .sort((a, b) => (a.shortcode < b.shortcode ? -1 : 1))
          .slice(0, limit)
          .map(copy),
      purge: async (shortcode) => write({ kind: 'purgeTenant', shortcode }),
    };

    this.apiKeys = {
      find: async (apiKey) => copy(s().apiKeys.get(apiKey) ?? null),
      listByTenant: async (tenant) => [...s().apiKeys.values()].filter((k) => k.tenant === tenant).map(copy),
      insert: async (record) => write({ kind: 'insertApiKey', record: copy(record) }),
      markRevoked: async (apiKey, revokedAt) => write({ kind: 'revokeApiKey', apiKey, revokedAt }),
      update: async (apiKey, changes) => write({ kind: 'updateApiKey', apiKey, changes: copy(changes) }),
      recordUse: async (apiKey, usedAt) => write({ kind: 'recordApiKeyUse', apiKey, usedAt }),
    };

    this.signingKeys = {
      listByTenant: async (tenant, states?: readonly SigningKeyState[]) =>
        [...s().signingKeys.values()].filter((k) => k.tenant === tenant && (!states || states.includes(k.state))).map(copy),
      insert: async (record) => write({ kind: 'insertSigningKey', record: copy(record) }),
      update: async (record) => write({ kind: 'updateSigningKey', record: copy(record) }),
      listRetirable: async (now) =>
        [...s().signingKeys.values()].filter((k) => k.state === 'retiring' && k.retireAfter !== null && k.retireAfter <= now).map(copy),
      listTenantsWithActiveKeyOlderThan: async (activatedBefore) =>
        [...s().signingKeys.values()]
          .filter((k) => k.state === 'active' && k.activatedAt !== null && k.activatedAt < activatedBefore)
          .map((k) => k.tenant),
    };

    this.clients = {
      find: async (clientId) => copy(s().clients.get(clientId) ?? null),
      listByTenant: async (tenant) => [...s().clients.values()].filter((c) => c.tenant === tenant).map(copy),
      insert: async (record) => write({ kind: 'insertClient', record: copy(record) }),
      update: async (record) => write({ kind: 'updateClient', record: copy(record) }),
    };

    this.mediaPlatforms = {
      find: async (tenant, platform) => copy(s().mediaPlatforms.get(platformKey(tenant, platform)) ?? null),
      listByTenant: async (tenant) =>
        [...s().mediaPlatforms.values()].filter((p) => p.tenant === tenant).sort((a, b) => (a.platform < b.platform ? -1 : 1)).map(copy),
      save: async (record) => write({ kind: 'saveMediaPlatform', record: copy(record) }),
      remove: async (tenant, platform) => {
        const present = s().mediaPlatforms.has(platformKey(tenant, platform));
        write({ kind: 'removeMediaPlatform', tenant, platform });
        return present;
      },
    };
  }

  async transaction<T>(work: (store: KeysStore) => Promise<T>): Promise<T> {
    const writes: Write[] = [];
    const inner = new InMemoryKeysStore(cloneState(this.state), writes);
    let result: T;
    try {
      result = await work(inner);
      // Commit: replay onto what is current now (others may have committed meanwhile), all or nothing.
      const next = cloneState(this.state);
      for (const w of writes) apply(next, w);
      this.state = next;
      for (const w of writes) this.log?.push(w);
    } catch (error) {
      this.rolledBack++;
      throw error;
    }
    this.committed++;
    return result;
  }

  /** Direct views for assertions (copies). */
  allTenants(): TenantRecord[] {
    return [...this.state.tenants.values()].map(copy);
  }

  allApiKeys(): ApiKeyRecord[] {
    return [...this.state.apiKeys.values()].map(copy);
  }

  allClients(): OAuthClientRecord[] {
    return [...this.state.clients.values()].map(copy);
  }

  allSigningKeys(tenant?: string): SigningKeyRecord[] {
    return [...this.state.signingKeys.values()].filter((k) => tenant === undefined || k.tenant === tenant).map(copy);
  }
}
