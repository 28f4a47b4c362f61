/**
 * The processes under test: each server runs as its own process so its CPU time and peak RSS can
 * be read from /proc/<pid>/stat and /proc/<pid>/status. Every process is stopped by its own PID.
 */
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type * as NatsServerScript from '../../scripts/nats-server';
import type * as ServicesScript from '../../scripts/services';

export const repoRoot = findRepoRoot(__dirname);

function findRepoRoot(start: string): string {
  let dir = start;
  for (let i = 0; i < 8; i++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'roomkey') return dir;
    dir = resolve(dir, '..');
  }
  throw new Error('cannot find the roomkey repository root');
}

/** scripts/nats-server.js, loaded by path: the compiled bench lives one level deeper (dist/bench). */
export const natsServerScript = require(join(repoRoot, 'scripts', 'nats-server.js')) as typeof NatsServerScript;
/** scripts/services.js: which services run and the Node.js flags each gets (as `npm start` uses them). */
export const servicesScript = require(join(repoRoot, 'scripts', 'services.js')) as typeof ServicesScript;

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) the process has used so far; NaN once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 (utime) and 15 (stime) of proc(5); the slice starts at field 3.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** Peak resident set size (VmHWM) in MB (10^6 bytes); NaN once the process is gone. */
export function peakRssMB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match ? (Number(match[1]) * 1024) / 1e6 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export type ProcessGroup = 'roomkey' | 'baseline' | 'peer';

export interface ServerProcess {
  /** e.g. `issuer-1`, `nats-server`. */
  name: string;
  group: ProcessGroup;
  pid: number;
  exited(): boolean;
  /** The last lines it wrote (for error messages). */
  logTail(): string;
  stop(): Promise<void>;
}

/** Starts `node <script>` from dist/ with `env`; output goes to `logFile`. */
export function startNodeProcess(options: {
  name: string;
  group: ProcessGroup;
  script: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  nodeArgs?: string[];
}): ServerProcess {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script], {
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  let tail = '';
  const keep = (chunk: Buffer) => {
    log.write(chunk);
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolveExit) =>
    child.once('exit', () => {
      exited = true;
      resolveExit();
    }),
  );
  if (child.pid === undefined) throw new Error(`could not start ${options.name}`);
  // Profiles are named CPU.<date>.<pid>…cpuprofile: say which process each pid was.
  const profileDir = options.nodeArgs?.find((arg) => arg.startsWith('--cpu-prof-dir='))?.slice('--cpu-prof-dir='.length);
  if (profileDir) {
    mkdirSync(profileDir, { recursive: true });
    appendFileSync(join(profileDir, 'processes.txt'), `${child.pid} ${options.name}\n`);
  }
  return {
    name: options.name,
    group: options.group,
    pid: child.pid,
    exited: () => exited,
    logTail: () => tail.trim(),
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exit;
        clearTimeout(force);
      }
      log.end();
    },
  };
}

/** A private `nats-server -js` on a free loopback port, as a ServerProcess. */
export async function startPrivateNats(group: ProcessGroup, dir: string, name = 'nats-server'): Promise<ServerProcess & { url: string }> {
  const { startNatsServer, freePort } = natsServerScript;
  const server = await startNatsServer({ port: await freePort(), storeDir: join(dir, 'store'), logFile: join(dir, 'nats-server.log') });
  let stopped = false;
  return {
    name,
    group,
    pid: server.pid,
    url: server.url,
    exited: () => stopped || Number.isNaN(cpuSeconds(server.pid)),
    logTail: () => '',
    async stop() {
      stopped = true;
      await server.stop();
    },
  };
}

/** CPU seconds of each process, to subtract two snapshots around a measurement. */
export function cpuSnapshot(processes: ServerProcess[]): Map<string, number> {
  return new Map(processes.map((p) => [p.name, cpuSeconds(p.pid)]));
}

export function cpuDelta(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [name, start] of before) {
    const end = after.get(name);
    if (end !== undefined && Number.isFinite(start) && Number.isFinite(end)) delta[name] = end - start;
  }
  return delta;
}

export function waitFor<T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return (async () => {
    let lastError: unknown;
    while (Date.now() < deadline) {
      try {
        const result = await attempt();
        if (result !== undefined) return result;
      } catch (error) {
        lastError = error;
      }
      await sleep(intervalMs);
    }
    throw new Error(`${what}: not ready after ${timeoutMs / 1000} s${lastError ? ` (${(lastError as Error).message})` : ''}`);
  })();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}

/** Runs `task` over `items` with at most `concurrency` at once; results in order. */
export async function mapLimit<T, R>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
