#!/usr/bin/env node
// Compiles apps/ and libs/ to CommonJS under dist/ with swc (fast, no type-check: `npm run typecheck`
// does that). Path aliases (@roomkey/*) are rewritten to relative requires so `node dist/...` runs
// without a loader. Used by `npm start`, `npm test` and `npm run build`.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const outDir = path.join(root, 'dist');
const sourceDirs = ['apps', 'libs', 'bench'];

function sourceFiles(dir) {
  const found = [];
  if (!fs.existsSync(dir)) return found;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !entry.name.endsWith('.spec.ts')) found.push(full);
  }
  return found;
}

function aliases() {
  const tsconfig = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
  return tsconfig.compilerOptions.paths;
}

/** True when some source file is newer than its compiled output (or dist is missing). */
function needsBuild() {
  for (const dir of sourceDirs) {
    for (const file of sourceFiles(path.join(root, dir))) {
      const out = path.join(outDir, path.relative(root, file)).replace(/\.ts$/, '.js');
      if (!fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(file).mtimeMs) return true;
    }
  }
  return !fs.existsSync(path.join(outDir, 'apps', 'gateway', 'main.js'));
}

function build() {
  const swc = require('@swc/core');
  const paths = aliases();
  fs.rmSync(outDir, { recursive: true, force: true });
  let count = 0;
  for (const dir of sourceDirs) {
    for (const file of sourceFiles(path.join(root, dir))) {
      const out = path.join(outDir, path.relative(root, file)).replace(/\.ts$/, '.js');
      const { code, map } = swc.transformFileSync(file, {
        swcrc: false,
        sourceMaps: true,
        outputPath: out,
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          baseUrl: root,
          paths,
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
      });
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, `${code}\n//# sourceMappingURL=${path.basename(out)}.map\n`);
      fs.writeFileSync(`${out}.map`, map);
      count++;
    }
  }
  return count;
}

module.exports = { build, needsBuild };

if (require.main === module) {
  const started = Date.now();
  const count = build();
  console.log(`built ${count} files into dist/ in ${Date.now() - started} ms`);
  // The SDK package (@roomkey/sdk) builds to its own output, packages/sdk/dist.
  const sdkStarted = Date.now();
  require('../packages/sdk/scripts/build.js').build();
  console.log(`built @roomkey/sdk into packages/sdk/dist in ${Date.now() - sdkStarted} ms`);
}
