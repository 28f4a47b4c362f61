#!/usr/bin/env node
// `npm test`: every test. Installs and builds when needed, type-checks, then runs jest (unit tests
// and integration tests against private nats-servers, SQLite and PostgreSQL). Extra arguments go to
// jest, e.g. `npm test -- test/access-tokens`. Exits non-zero on any failure.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { root, ensureDependencies, ensureBuilt } = require('./dependencies');

/** PostgreSQL answers on the test URL's host and port (checked before anything slow runs). */
function postgresAnswers(url) {
  const { hostname, port } = new URL(url);
  const probe = `require('net').connect(${Number(port || 5432)}, ${JSON.stringify(hostname || '127.0.0.1')}).on('connect', () => process.exit(0)).on('error', () => process.exit(1)).setTimeout(1500, () => process.exit(1))`;
  return spawnSync(process.execPath, ['-e', probe]).status === 0;
}

const databases = (process.env.ROOMKEY_TEST_DATABASES || 'sqlite,postgres').split(',').map((d) => d.trim());
const postgresUrl = process.env.ROOMKEY_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
if (databases.includes('postgres') && !postgresAnswers(postgresUrl)) {
  console.error(
    `roomkey: PostgreSQL does not answer at ${postgresUrl} (the integration tests run against it too): start it, ` +
      'point ROOMKEY_TEST_POSTGRES_URL at one, or run against SQLite only with ROOMKEY_TEST_DATABASES=sqlite npm test.',
  );
  process.exit(1);
}

ensureDependencies();
ensureBuilt();

const bin = (name) => path.join(root, 'node_modules', '.bin', name);
console.log('roomkey: type-checking (tsc --noEmit)…');
// The web console's browser code has its own project (DOM library, bundler resolution).
const typecheck = [
  spawnSync(bin('tsc'), ['-p', 'tsconfig.json', '--noEmit'], { cwd: root, stdio: 'inherit' }),
  spawnSync(bin('tsc'), ['-p', 'apps/gateway/console/ui/tsconfig.json', '--noEmit'], { cwd: root, stdio: 'inherit' }),
].find((run) => run.status !== 0) ?? { status: 0 };
if (typecheck.status !== 0) {
  console.error('roomkey: type errors; see above.');
  process.exit(1);
}

const results = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'roomkey-jest-')), 'results.json');
const jest = spawnSync(bin('jest'), ['--maxWorkers=2', '--json', `--outputFile=${results}`, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL || 'error' },
});
let summary;
try {
  summary = JSON.parse(fs.readFileSync(results, 'utf8'));
} catch {
  summary = undefined;
}
if (summary) {
  const skipped = summary.numPendingTests + summary.numTodoTests;
  console.log(`\ntests: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
  if (summary.numTotalTests === 0) {
    console.error('roomkey: no test ran.');
    process.exit(1);
  }
}
process.exit(jest.status === null ? 1 : jest.status);
