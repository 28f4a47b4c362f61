/**
 * The web console's static files, built by `npm run build` (scripts/build.js: esbuild bundles
 * apps/gateway/console/ui into dist/console). Read from disk on first use and kept; a console that
 * has not been built yet is looked for again on the next request, so building while the gateway
 * runs is enough.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface ConsoleAsset {
  contentType: string;
  body: Buffer;
}

/** Every file the build writes, with its media type; nothing else under /console is served. */
export const CONSOLE_FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};

/** The repository root: the nearest folder above this file holding package.json (works from apps/ and from dist/apps/). */
function repositoryRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return start;
    dir = parent;
  }
  return dir;
}

export const CONSOLE_BUILD_DIR = join(repositoryRoot(__dirname), 'dist', 'console');

export class ConsoleAssets {
  private readonly cache = new Map<string, ConsoleAsset>();

  constructor(private readonly dir = CONSOLE_BUILD_DIR) {}

  /** The file, `undefined` when the name is not one the console has, or `null` when it is but has not been built. */
  get(file: string): ConsoleAsset | undefined | null {
    if (!Object.hasOwn(CONSOLE_FILES, file)) return undefined;
    const cached = this.cache.get(file);
    if (cached) return cached;
    const path = join(this.dir, file);
    if (!existsSync(path)) return null;
    const asset = { contentType: CONSOLE_FILES[file], body: readFileSync(path) };
    this.cache.set(file, asset);
    return asset;
  }
}
