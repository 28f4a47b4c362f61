import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The deployment's id, given at its first start: which database serves a namespace on a NATS. */
export class DeploymentId1764979200000 implements MigrationInterface {
  name = 'DeploymentId1764979200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'deployment',
        columns: [
          { name: 'singleton', type: 'varchar', length: '16', isPrimary: true },
          { name: 'id', type: 'varchar', length: '64' },
          { name: 'created_at', type: 'bigint' },
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('deployment');
  }
}
