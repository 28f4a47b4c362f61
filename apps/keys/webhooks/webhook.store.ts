import { DataSource } from 'typeorm';
import { WebhookEntity } from '../persistence/webhook.entity';

/** Times are milliseconds since the epoch. */
export interface WebhookRecord {
  id: string;
  tenant: string;
  url: string;
  events: string[];
  /** `whsec_…` sealed under the master key with the id as associated data (SecretBox). */
  secretCiphertext: string;
  createdAt: number;
}

export interface WebhookStore {
  find(id: string): Promise<WebhookRecord | null>;
  listByTenant(tenant: string): Promise<WebhookRecord[]>;
  /** Every endpoint of every tenant: the delivery worker follows them all. */
  listAll(): Promise<WebhookRecord[]>;
  insert(record: WebhookRecord): Promise<void>;
  /** false when there was none. */
  delete(id: string): Promise<boolean>;
}

export const WEBHOOK_STORE = Symbol('WebhookStore');

export class TypeOrmWebhookStore implements WebhookStore {
  constructor(private readonly dataSource: DataSource) {}

  find(id: string): Promise<WebhookRecord | null> {
    return this.dataSource.manager.findOneBy(WebhookEntity, { id });
  }

  listByTenant(tenant: string): Promise<WebhookRecord[]> {
    return this.dataSource.manager.find(WebhookEntity, { where: { tenant }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  listAll(): Promise<WebhookRecord[]> {
    return this.dataSource.manager.find(WebhookEntity, { order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async insert(record: WebhookRecord): Promise<void> {
    await this.dataSource.manager.insert(WebhookEntity, record);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.dataSource.manager.delete(WebhookEntity, { id });
    return (result.affected ?? 0) > 0;
  }
}

export class InMemoryWebhookStore implements WebhookStore {
  private readonly records = new Map<string, WebhookRecord>();

  async find(id: string): Promise<WebhookRecord | null> {
    const record = this.records.get(id);
    return record ? copy(record) : null;
  }

  async listByTenant(tenant: string): Promise<WebhookRecord[]> {
    return (await this.listAll()).filter((record) => record.tenant === tenant);
  }

  async listAll(): Promise<WebhookRecord[]> {
    return [...this.records.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id)).map(copy);
  }

  async insert(record: WebhookRecord): Promise<void> {
    if (this.records.has(record.id)) throw new Error(`webhook ${record.id} exists`);
    this.records.set(record.id, copy(record));
  }

  async delete(id: string): Promise<boolean> {
    return this.records.delete(id);
  }
}

const copy = (record: WebhookRecord): WebhookRecord => ({ ...record, events: [...record.events] });
