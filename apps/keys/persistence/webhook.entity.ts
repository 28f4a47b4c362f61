import { Column, Entity, Index, PrimaryColumn, type ValueTransformer } from 'typeorm';

const epochMs: ValueTransformer = {
  to: (value: number | null) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? null : Number(value)),
};

/** Event types kept as space-separated text (a type has no spaces). */
const typeList: ValueTransformer = {
  to: (value: string[] | undefined) => (value === undefined ? undefined : value.join(' ')),
  from: (value: string) => (value ? value.split(' ') : []),
};

/** A tenant's webhook endpoint: the secret is kept sealed under the master key (the id as associated data). */
@Entity('webhooks')
export class WebhookEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Index('idx_webhooks_tenant')
  @Column({ type: 'varchar', length: 63 })
  tenant: string;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  @Column({ type: 'text', transformer: typeList })
  events: string[];

  @Column({ name: 'secret_ciphertext', type: 'text' })
  secretCiphertext: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;
}
