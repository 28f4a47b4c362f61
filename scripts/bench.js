#!/usr/bin/env node
// `npm run bench`: installs and builds when needed (as `npm start` does), then runs the benchmark
// from dist/bench/main.js. Arguments after `--` go to it: `npm run bench -- --quick`.
'use strict';
const path = require('node:path');
const { root, ensureDependencies, ensureBuilt } = require('./dependencies');

ensureDependencies();
ensureBuilt();
const { runBench } = require(path.join(root, 'dist', 'bench', 'main.js'));
runBench(process.argv.slice(2)).catch((error) => {
  console.error(`roomkey bench: ${error.stack || error.message}`);
  process.exit(1);
});
