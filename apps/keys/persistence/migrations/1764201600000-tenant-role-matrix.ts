import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** A tenant's overrides of the role matrix (JSON text; null keeps the default matrix). */
export class TenantRoleMatrix1764201600000 implements MigrationInterface {
  name = 'TenantRoleMatrix1764201600000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumn('tenants', new TableColumn({ name: 'role_matrix', type: 'text', isNullable: true }));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropColumn('tenants', 'role_matrix');
  }
}
