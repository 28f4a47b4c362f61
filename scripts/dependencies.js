// Installs node_modules with `npm ci` when they are missing or older than the lockfile, so the
// README's commands work on a fresh clone.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function ensureDependencies() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  console.log('roomkey: installing dependencies (npm ci)…');
  const result = spawnSync('npm', ['ci'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('roomkey: npm ci failed; see the output above.');
    process.exit(result.status || 1);
  }
}

function ensureBuilt() {
  const { build, needsBuild } = require('./build');
  if (needsBuild()) {
    const count = build();
    console.log(`roomkey: built ${count} files into dist/`);
  }
}

module.exports = { root, ensureDependencies, ensureBuilt };
