import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Scoped admin credentials (issue 14): an id, optional tenant, scopes, and the secret's keyed hash. */
export class AdminKeys1765100000000 implements MigrationInterface {
  name = 'AdminKeys1765100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'admin_keys',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'name', type: 'varchar', length: '255', isNullable: true },
          { name: 'tenant', type: 'varchar', length: '63', isNullable: true },
          { name: 'scopes', type: 'varchar', length: '255' },
          { name: 'secret_hash', type: 'varchar', length: '64' },
          { name: 'created_at', type: 'bigint' },
          { name: 'revoked_at', type: 'bigint', isNullable: true },
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('admin_keys');
  }
}
