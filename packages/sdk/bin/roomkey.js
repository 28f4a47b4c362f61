#!/usr/bin/env node
'use strict';
// The roomkey CLI. Builds the package's JavaScript first when dist is missing or stale (a fresh
// clone after `npm ci`), as `npm start` does for the services.
const path = require('node:path');

const cli = path.join(__dirname, '..', 'dist', 'cli.js');
try {
  const builder = require('../scripts/build.js');
  if (builder.needsBuild()) builder.build({ types: false });
} catch (error) {
  // Installed from the registry: dist ships built and the build script's tools are absent.
  if (error.code !== 'MODULE_NOT_FOUND') throw error;
}
require(cli).main();
