import { Table, TableForeignKey, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Media-platform credentials per tenant (issue 16, claim profiles): the secret sealed under the master key. */
export class MediaPlatforms1765200000000 implements MigrationInterface {
  name = 'MediaPlatforms1765200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'media_platforms',
        columns: [
          { name: 'tenant', type: 'varchar', length: '63', isPrimary: true },
          { name: 'platform', type: 'varchar', length: '16', isPrimary: true },
          { name: 'api_key', type: 'varchar', length: '255' },
          { name: 'secret_ciphertext', type: 'text' },
          { name: 'created_at', type: 'bigint' },
          { name: 'updated_at', type: 'bigint' },
        ],
        foreignKeys: [new TableForeignKey({ columnNames: ['tenant'], referencedTableName: 'tenants', referencedColumnNames: ['shortcode'] })],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('media_platforms');
  }
}
