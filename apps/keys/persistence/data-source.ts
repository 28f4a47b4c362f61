import type { KeysConfig } from '@roomkey/config';
import { join } from 'node:path';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import type { DataSourceOptions } from 'typeorm';
import { KEYS_ENTITIES } from './entities';
import { InitialSchema1764028800000 } from './migrations/1764028800000-initial-schema';
import { OAuthClients1764115200000 } from './migrations/1764115200000-oauth-clients';
import { TenantRoleMatrix1764201600000 } from './migrations/1764201600000-tenant-role-matrix';
import { DeploymentId1764979200000 } from './migrations/1764979200000-deployment-id';
import { AdminLifecycle1765000000000 } from './migrations/1765000000000-admin-lifecycle';
import { AdminKeys1765100000000 } from './migrations/1765100000000-admin-keys';
import { Webhooks1765200000000 } from './migrations/1765200000000-webhooks';

export const KEYS_MIGRATIONS = [InitialSchema1764028800000, OAuthClients1764115200000, TenantRoleMatrix1764201600000, DeploymentId1764979200000, AdminLifecycle1765000000000, AdminKeys1765100000000, Webhooks1765200000000];
export const SQLITE_FILE = 'roomkey.sqlite';

/** PostgreSQL when DATABASE_URL is set, otherwise an embedded SQLite file under ROOMKEY_DATA_DIR. */
export function keysDataSourceOptions(config: Pick<KeysConfig, 'databaseUrl' | 'dataDir'>): DataSourceOptions {
  const common = { entities: KEYS_ENTITIES, migrations: KEYS_MIGRATIONS, migrationsRun: true, synchronize: false, logging: false } as const;
  if (config.databaseUrl) {
    return { type: 'postgres', url: config.databaseUrl, ...common, extra: { max: 10 } };
  }
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const database = join(config.dataDir, SQLITE_FILE);
  // The file holds sealed keys and secret hashes: private to roomkey, whatever the folder's mode.
  // SQLite creates its -wal and -shm files with the database file's mode.
  closeSync(openSync(database, 'a', 0o600));
  chmodSync(database, 0o600);
  return { type: 'better-sqlite3', database, enableWAL: true, ...common };
}
