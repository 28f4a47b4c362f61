import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Webhook endpoints (issue 15): url, event types, the sealed secret. Deliveries live in JetStream. */
export class Webhooks1765200000000 implements MigrationInterface {
  name = 'Webhooks1765200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'webhooks',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'tenant', type: 'varchar', length: '63' },
          { name: 'url', type: 'varchar', length: '2048' },
          { name: 'events', type: 'text' },
          { name: 'secret_ciphertext', type: 'text' },
          { name: 'created_at', type: 'bigint' },
        ],
      }),
    );
    await runner.createIndex('webhooks', new TableIndex({ name: 'idx_webhooks_tenant', columnNames: ['tenant'] }));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('webhooks');
  }
}
