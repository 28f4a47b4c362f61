import type { AdminScope } from '@roomkey/contracts';
import { Column, Entity, PrimaryColumn, type ValueTransformer } from 'typeorm';

const epochMs: ValueTransformer = {
  to: (value: number | null) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? null : Number(value)),
};

/** Scopes kept as space-separated text (each scope is one token without spaces). */
const scopeList: ValueTransformer = {
  to: (value: AdminScope[] | undefined) => (value === undefined ? undefined : value.join(' ')),
  from: (value: string) => (value ? (value.split(' ') as AdminScope[]) : []),
};

/** Scoped admin credentials: the secret is kept only as a keyed hash (like API keys). */
@Entity('admin_keys')
export class AdminKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  name: string | null;

  /** null: every tenant. */
  @Column({ type: 'varchar', length: 63, nullable: true })
  tenant: string | null;

  @Column({ type: 'varchar', length: 255, transformer: scopeList })
  scopes: AdminScope[];

  @Column({ name: 'secret_hash', type: 'varchar', length: 64 })
  secretHash: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: epochMs })
  revokedAt: number | null;
}
