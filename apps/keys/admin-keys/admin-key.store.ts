import type { AdminScope } from '@roomkey/contracts';
import { DataSource } from 'typeorm';
import { AdminKeyEntity } from '../persistence/admin-key.entity';

/** Times are milliseconds since the epoch. */
export interface AdminKeyRecord {
  id: string;
  name: string | null;
  tenant: string | null;
  scopes: AdminScope[];
  /** Keyed SHA-256 of the secret (SecretHasher); the secret itself is never stored. */
  secretHash: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface AdminKeyStore {
  find(id: string): Promise<AdminKeyRecord | null>;
  list(): Promise<AdminKeyRecord[]>;
  insert(record: AdminKeyRecord): Promise<void>;
  markRevoked(id: string, revokedAt: number): Promise<void>;
}

export const ADMIN_KEY_STORE = Symbol('AdminKeyStore');

export class TypeOrmAdminKeyStore implements AdminKeyStore {
  constructor(private readonly dataSource: DataSource) {}

  find(id: string): Promise<AdminKeyRecord | null> {
    return this.dataSource.manager.findOneBy(AdminKeyEntity, { id });
  }

  list(): Promise<AdminKeyRecord[]> {
    return this.dataSource.manager.find(AdminKeyEntity, { order: { createdAt: 'ASC' } });
  }

  async insert(record: AdminKeyRecord): Promise<void> {
    await this.dataSource.manager.insert(AdminKeyEntity, record);
  }

  async markRevoked(id: string, revokedAt: number): Promise<void> {
    await this.dataSource.manager.update(AdminKeyEntity, { id }, { revokedAt });
  }
}

export class InMemoryAdminKeyStore implements AdminKeyStore {
  private readonly records = new Map<string, AdminKeyRecord>();

  async find(id: string): Promise<AdminKeyRecord | null> {
    const record = this.records.get(id);
    return record ? { ...record } : null;
  }

  async list(): Promise<AdminKeyRecord[]> {
    return [...this.records.values()].sort((a, b) => a.createdAt - b.createdAt).map((r) => ({ ...r }));
  }

  async insert(record: AdminKeyRecord): Promise<void> {
    if (this.records.has(record.id)) throw new Error(`admin key ${record.id} exists`);
    this.records.set(record.id, { ...record });
  }

  async markRevoked(id: string, revokedAt: number): Promise<void> {
    const record = this.records.get(id);
    if (record) record.revokedAt = revokedAt;
  }
}
