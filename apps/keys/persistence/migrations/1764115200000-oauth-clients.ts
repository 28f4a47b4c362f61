import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** OAuth clients of a tenant (list columns hold JSON text; portable across SQLite and PostgreSQL). */
export class OAuthClients1764115200000 implements MigrationInterface {
  name = 'OAuthClients1764115200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'oauth_clients',
        columns: [
          { name: 'client_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'tenant', type: 'varchar', length: '63' },
          { name: 'name', type: 'varchar', length: '255', isNullable: true },
          { name: 'is_public', type: 'boolean' },
          { name: 'grant_types', type: 'text' },
          { name: 'redirect_uris', type: 'text' },
          { name: 'audiences', type: 'text' },
          { name: 'scopes', type: 'text' },
          { name: 'access_token_ttl', type: 'integer' },
          { name: 'secret_hash', type: 'varchar', length: '64', isNullable: true },
          { name: 'previous_secret_hash', type: 'varchar', length: '64', isNullable: true },
          { name: 'previous_secret_valid_until', type: 'bigint', isNullable: true },
          { name: 'created_at', type: 'bigint' },
          { name: 'revoked_at', type: 'bigint', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'idx_oauth_clients_tenant', columnNames: ['tenant'] })],
        foreignKeys: [new TableForeignKey({ columnNames: ['tenant'], referencedTableName: 'tenants', referencedColumnNames: ['shortcode'] })],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('oauth_clients');
  }
}
