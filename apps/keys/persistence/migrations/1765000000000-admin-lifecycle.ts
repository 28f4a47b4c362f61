import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Tenant deletion (the shortcode is held for a while), API-key rotation with a grace period, coarse last use. */
export class AdminLifecycle1765000000000 implements MigrationInterface {
  name = 'AdminLifecycle1765000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumn('tenants', new TableColumn({ name: 'deleted_at', type: 'bigint', isNullable: true }));
    await runner.addColumns('api_keys', [
      new TableColumn({ name: 'previous_secret_hash', type: 'varchar', length: '64', isNullable: true }),
      new TableColumn({ name: 'previous_secret_valid_until', type: 'bigint', isNullable: true }),
      new TableColumn({ name: 'last_used_at', type: 'bigint', isNullable: true }),
    ]);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropColumns('api_keys', ['last_used_at', 'previous_secret_valid_until', 'previous_secret_hash']);
    await runner.dropColumn('tenants', 'deleted_at');
  }
}
