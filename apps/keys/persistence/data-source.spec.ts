import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { keysDataSourceOptions, SQLITE_FILE } from './data-source';

describe('the embedded SQLite database', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'roomkey-sqlite-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is created 0600 with its WAL files, whatever the umask', async () => {
    const previous = process.umask(0o022);
    try {
      const dataSource = new DataSource(keysDataSourceOptions({ dataDir, databaseUrl: undefined }));
      await dataSource.initialize();
      await dataSource.query('SELECT 1');
      for (const file of [SQLITE_FILE, `${SQLITE_FILE}-wal`, `${SQLITE_FILE}-shm`]) {
        expect({ file, mode: statSync(join(dataDir, file)).mode & 0o777 }).toEqual({ file, mode: 0o600 });
      }
      await dataSource.destroy();
    } finally {
      process.umask(previous);
    }
  });
});
