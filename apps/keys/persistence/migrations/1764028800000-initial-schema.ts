import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Tenants, API keys and signing keys; written with TypeORM's portable schema API (SQLite and PostgreSQL). */
export class InitialSchema1764028800000 implements MigrationInterface {
  name = 'InitialSchema1764028800000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'tenants',
        columns: [
          { name: 'shortcode', type: 'varchar', length: '63', isPrimary: true },
          { name: 'name', type: 'varchar', length: '255' },
          { name: 'login_url', type: 'varchar', length: '2048', isNullable: true },
          { name: 'guest_access', type: 'boolean' },
          { name: 'anonymous_access', type: 'boolean' },
          { name: 'signing_alg', type: 'varchar', length: '16' },
          { name: 'created_at', type: 'bigint' },
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          { name: 'api_key', type: 'varchar', length: '64', isPrimary: true },
          { name: 'tenant', type: 'varchar', length: '63' },
          { name: 'environment', type: 'varchar', length: '16' },
          { name: 'name', type: 'varchar', length: '255', isNullable: true },
          { name: 'secret_hash', type: 'varchar', length: '64' },
          { name: 'secret_ciphertext', type: 'text' },
          { name: 'created_at', type: 'bigint' },
          { name: 'revoked_at', type: 'bigint', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'idx_api_keys_tenant', columnNames: ['tenant'] })],
        foreignKeys: [new TableForeignKey({ columnNames: ['tenant'], referencedTableName: 'tenants', referencedColumnNames: ['shortcode'] })],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'signing_keys',
        columns: [
          { name: 'kid', type: 'varchar', length: '64', isPrimary: true },
          { name: 'tenant', type: 'varchar', length: '63' },
          { name: 'alg', type: 'varchar', length: '16' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'public_jwk', type: 'text' },
          { name: 'private_jwk_ciphertext', type: 'text' },
          { name: 'created_at', type: 'bigint' },
          { name: 'activated_at', type: 'bigint', isNullable: true },
          { name: 'retiring_at', type: 'bigint', isNullable: true },
          { name: 'retire_after', type: 'bigint', isNullable: true },
          { name: 'retired_at', type: 'bigint', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'idx_signing_keys_tenant', columnNames: ['tenant'] }),
          // The lifecycle's invariants, enforced by the database too: one active and one next key per tenant.
          new TableIndex({ name: 'uq_signing_keys_one_active', columnNames: ['tenant'], isUnique: true, where: "state = 'active'" }),
          new TableIndex({ name: 'uq_signing_keys_one_next', columnNames: ['tenant'], isUnique: true, where: "state = 'next'" }),
        ],
        foreignKeys: [new TableForeignKey({ columnNames: ['tenant'], referencedTableName: 'tenants', referencedColumnNames: ['shortcode'] })],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('signing_keys');
    await runner.dropTable('api_keys');
    await runner.dropTable('tenants');
  }
}
