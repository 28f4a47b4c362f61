/** TypeORM adapter for the keys service's ports. */
import type { SigningKeyState } from '@roomkey/contracts';
import { In, IsNull, LessThan, LessThanOrEqual, MoreThan, type DataSource, type EntityManager, type FindOptionsWhere } from 'typeorm';
import type {
  ApiKeyRecord,
  ApiKeyRepository,
  KeysStore,
  OAuthClientRecord,
  OAuthClientRepository,
  SigningKeyRecord,
  SigningKeyRepository,
  TenantRecord,
  TenantRepository,
} from '../ports';
import { ApiKeyEntity, OAuthClientEntity, SigningKeyEntity, TenantEntity } from './entities';
import { WebhookEntity } from './webhook.entity';

class TypeOrmTenantRepository implements TenantRepository {
  constructor(private readonly manager: EntityManager) {}

  async find(shortcode: string): Promise<TenantRecord | null> {
    return this.manager.findOneBy(TenantEntity, { shortcode });
  }

  async insert(tenant: TenantRecord): Promise<void> {
    await this.manager.insert(TenantEntity, tenant);
  }

  async update(tenant: TenantRecord): Promise<void> {
    const { shortcode, ...changes } = tenant;
    await this.manager.update(TenantEntity, { shortcode }, changes);
  }

  listPage(after: string | null, limit: number): Promise<TenantRecord[]> {
    const where: FindOptionsWhere<TenantEntity> = { deletedAt: IsNull(), ...(after !== null ? { shortcode: MoreThan(after) } : {}) };
    return this.manager.find(TenantEntity, { where, order: { shortcode: 'ASC' }, take: limit });
  }

  async purge(shortcode: string): Promise<void> {
    await this.manager.delete(ApiKeyEntity, { tenant: shortcode });
    await this.manager.delete(OAuthClientEntity, { tenant: shortcode });
    await this.manager.delete(SigningKeyEntity, { tenant: shortcode });
    await this.manager.delete(WebhookEntity, { tenant: shortcode });
    await this.manager.delete(TenantEntity, { shortcode });
  }
}

class TypeOrmApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly manager: EntityManager) {}

  find(apiKey: string): Promise<ApiKeyRecord | null> {
    return this.manager.findOneBy(ApiKeyEntity, { apiKey });
  }

  listByTenant(tenant: string): Promise<ApiKeyRecord[]> {
    return this.manager.findBy(ApiKeyEntity, { tenant });
  }

  async insert(record: ApiKeyRecord): Promise<void> {
    await this.manager.insert(ApiKeyEntity, record);
  }

  async markRevoked(apiKey: string, revokedAt: number): Promise<void> {
    await this.manager.update(ApiKeyEntity, { apiKey }, { revokedAt });
  }

  async update(apiKey: string, changes: Partial<Omit<ApiKeyRecord, 'apiKey' | 'tenant'>>): Promise<void> {
    await this.manager.update(ApiKeyEntity, { apiKey }, changes);
  }

  async recordUse(apiKey: string, usedAt: number): Promise<void> {
    await this.manager
      .createQueryBuilder()
      .update(ApiKeyEntity)
      .set({ lastUsedAt: usedAt })
      .where('api_key = :apiKey AND (last_used_at IS NULL OR last_used_at < :usedAt)', { apiKey, usedAt })
      .execute();
  }
}

function toRecord(entity: SigningKeyEntity): SigningKeyRecord {
  return { ...entity, publicJwk: JSON.parse(entity.publicJwk) };
}

function toEntity(record: SigningKeyRecord): SigningKeyEntity {
  return { ...record, publicJwk: JSON.stringify(record.publicJwk) };
}

class TypeOrmSigningKeyRepository implements SigningKeyRepository {
  constructor(private readonly manager: EntityManager) {}

  async listByTenant(tenant: string, states?: readonly SigningKeyState[]): Promise<SigningKeyRecord[]> {
    const rows = await this.manager.findBy(SigningKeyEntity, states ? { tenant, state: In([...states]) } : { tenant });
    return rows.map(toRecord);
  }

  async insert(record: SigningKeyRecord): Promise<void> {
    await this.manager.insert(SigningKeyEntity, toEntity(record));
  }

  async update(record: SigningKeyRecord): Promise<void> {
    const { kid, ...changes } = toEntity(record);
    await this.manager.update(SigningKeyEntity, { kid }, changes);
  }

  async listRetirable(now: number): Promise<SigningKeyRecord[]> {
    const rows = await this.manager.findBy(SigningKeyEntity, { state: 'retiring', retireAfter: LessThanOrEqual(now) });
    return rows.map(toRecord);
  }

  async listTenantsWithActiveKeyOlderThan(activatedBefore: number): Promise<string[]> {
    const rows = await this.manager.find(SigningKeyEntity, {
      select: { tenant: true },
      where: { state: 'active', activatedAt: LessThan(activatedBefore) },
    });
    return rows.map((row) => row.tenant);
  }
}

class TypeOrmOAuthClientRepository implements OAuthClientRepository {
  constructor(private readonly manager: EntityManager) {}

  find(clientId: string): Promise<OAuthClientRecord | null> {
    return this.manager.findOneBy(OAuthClientEntity, { clientId });
  }

  listByTenant(tenant: string): Promise<OAuthClientRecord[]> {
    return this.manager.findBy(OAuthClientEntity, { tenant });
  }

  async insert(record: OAuthClientRecord): Promise<void> {
    await this.manager.insert(OAuthClientEntity, record);
  }

  async update(record: OAuthClientRecord): Promise<void> {
    const { clientId, ...changes } = record;
    await this.manager.update(OAuthClientEntity, { clientId }, changes);
  }
}

export class TypeOrmKeysStore implements KeysStore {
  readonly tenants: TenantRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly signingKeys: SigningKeyRepository;
  readonly clients: OAuthClientRepository;

  /** SQLite has one connection: its transactions must not interleave, so they queue here. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    manager: EntityManager = dataSource.manager,
  ) {
    this.tenants = new TypeOrmTenantRepository(manager);
    this.apiKeys = new TypeOrmApiKeyRepository(manager);
    this.signingKeys = new TypeOrmSigningKeyRepository(manager);
    this.clients = new TypeOrmOAuthClientRepository(manager);
  }

  transaction<T>(work: (store: KeysStore) => Promise<T>): Promise<T> {
    const run = () => this.dataSource.transaction((manager) => work(new TypeOrmKeysStore(this.dataSource, manager)));
    if (this.dataSource.options.type !== 'better-sqlite3') return run();
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
