/**
 * `npm run bench`: issuance and verification speed of roomkey, side by side with a bare baseline
 * (Fastify + NATS + jose, bench/baseline/) and a peer (node-oidc-provider), on this machine, in
 * one run. Writes BENCHMARKS.md and BENCHMARKS.json (`--quick`: bench/results/). See the README's
 * "Benchmark" section.
 */
import { decodeJwt } from 'jose';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { httpLoad, localVerifyLoad, natsLoad, pacedHttpLoad, type HttpTarget, type LoadResult, type Tick } from './support/load';
import { cpuDelta, cpuSnapshot, mapLimit, natsServerScript, peakRssMB, repoRoot, type ServerProcess } from './support/processes';
import { clock, Progress } from './support/progress';
import { machineInfo, writeAbReport, writeReports, writeViaStartReport, type Figure, type RunInfo, type SetupTiming } from './report';
import { BASELINE_TENANT, BaselineSystem, basicAuthorization, PeerSystem, RoomkeySystem, StartCommandSystem } from './systems';
import type autocannon from 'autocannon';

export interface BenchOptions {
  quick: boolean;
  profile: boolean;
  /** Only roomkey as the bench lays it out vs roomkey as `npm start` runs it, in turns. */
  viaStart: boolean;
  /** `--start-nats=URL`: npm start joins this running NATS instead of starting its own. */
  startNatsUrl?: string;
  /** `--ab-dist=DIR`: only roomkey from this build (`before`) vs roomkey from dist/ (`after`), in turns. */
  abDist?: string;
  tenants: number;
  revocations: number;
  warmupSeconds: number;
  measureSeconds: number;
  connections: number;
  inFlight: number;
  tokenPool: number;
}

const USAGE = `Usage: npm run bench [-- options]
  --quick              about a minute: 1 s warm-up + 2 s per figure, 1,000 tenants, 10,000 revocations
                       (writes bench/results/BENCHMARKS-quick.md instead of BENCHMARKS.md)
  --profile            run every server process with node --cpu-prof (profiles in bench/results/profiles/)
  --via-start          only compare roomkey as the bench starts it with roomkey as \`npm start\` runs it
                       (scripts/start.js on free ports: its own NATS with users and permissions, the
                       supervisor, identity), both running, measured in turns (bench/results/via-start.*)
  --start-nats=URL     npm start joins the NATS running at URL (as it does when one answers at NATS_URL,
                       e.g. a machine's shared nats://127.0.0.1:4222) instead of starting its own
  --ab-dist=DIR        A/B of two builds: roomkey from DIR (another commit's dist/, "before") vs roomkey from
                       dist/ ("after"), both running, the three issuance paths measured in turns
                       (bench/results/ab.*; with --profile, profiles named before/… and after/…)
  --seconds=N          measurement time per figure (default 10; --quick 2)
  --warmup=N           warm-up time per figure (default 3; --quick 1)
  --tenants=N          tenants for the "10,000 tenants" figure (default 10000; --quick 1000)
  --revocations=N      revoked tokens for the "100,000 revoked" figure (default 100000; --quick 10000)
  --render-only        measure nothing: rewrite BENCHMARKS.md from BENCHMARKS.json (with --quick: the quick
                       pair), e.g. after editing bench/NOTES.md`;

export function parseArgs(argv: string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const options: BenchOptions = {
    quick,
    profile: argv.includes('--profile'),
    viaStart: argv.includes('--via-start'),
    tenants: quick ? 1000 : 10_000,
    revocations: quick ? 10_000 : 100_000,
    warmupSeconds: quick ? 1 : 3,
    measureSeconds: quick ? 2 : 10,
    connections: 64,
    inFlight: 64,
    tokenPool: 1000,
  };
  const numeric: Record<string, keyof BenchOptions> = {
    '--seconds': 'measureSeconds',
    '--warmup': 'warmupSeconds',
    '--tenants': 'tenants',
    '--revocations': 'revocations',
  };
  for (const arg of argv) {
    if (arg === '--quick' || arg === '--profile' || arg === '--render-only' || arg === '--via-start') continue;
    if (arg.startsWith('--start-nats=')) {
      options.startNatsUrl = arg.slice('--start-nats='.length);
      continue;
    }
    if (arg.startsWith('--ab-dist=')) {
      options.abDist = resolve(arg.slice('--ab-dist='.length));
      continue;
    }
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    const [name, value] = arg.split('=');
    const field = numeric[name];
    const parsed = Number(value);
    const limits: Record<string, [number, number]> = {
      measureSeconds: [1, 60],
      warmupSeconds: [0, 30],
      tenants: [1, 20_000],
      revocations: [0, 200_000],
    };
    if (!field || !Number.isInteger(parsed) || parsed < limits[field][0] || parsed > limits[field][1]) {
      process.stderr.write(`roomkey bench: unknown or out-of-range option '${arg}'\n${USAGE}\n`);
      process.exit(2);
    }
    (options as unknown as Record<string, number>)[field] = parsed;
  }
  return options;
}

const CAT_BODY = { userId: 'alice', role: 'HOST', rooms: ['town-hall'] };
const CC_BODY = 'grant_type=client_credentials&scope=rooms%3Aread';
const encoder = new TextEncoder();

/** A request whose headers/body cycle through `variants` (one per request), at the same cost for 1 or N variants. */
function cycling(base: autocannon.Request, variants: Array<Partial<autocannon.Request>>): autocannon.Request {
  let next = 0;
  return { ...base, setupRequest: (request) => ({ ...request, ...variants[next++ % variants.length] }) };
}

function jsonPost(path: string, authorization: string, body: unknown): autocannon.Request {
  return { method: 'POST', path, headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function catTarget(url: string, credentials: Array<{ apiKey: string; secret: string }>): HttpTarget {
  const base = jsonPost('/v1/access-tokens', '', CAT_BODY);
  const variants = credentials.map((c) => ({ headers: { ...base.headers, authorization: basicAuthorization(c.apiKey, c.secret) } }));
  return { url, request: cycling(base, variants) };
}

function ccTarget(url: string, path: string, clientId: string, secret: string): HttpTarget {
  const headers = { authorization: basicAuthorization(clientId, secret), 'content-type': 'application/x-www-form-urlencoded' };
  return { url, request: cycling({ method: 'POST', path, headers, body: CC_BODY }, [{}]) };
}

function verifyTarget(url: string, credentials: { apiKey: string; secret: string }, tokens: string[]): HttpTarget {
  const base = jsonPost('/v1/tokens/verify', basicAuthorization(credentials.apiKey, credentials.secret), {});
  return { url, request: cycling(base, tokens.map((token) => ({ body: JSON.stringify({ token }) }))) };
}

function catBodies(credentials: Array<{ apiKey: string; secret: string }>): Uint8Array[] {
  return credentials.map((c) => encoder.encode(JSON.stringify({ ...CAT_BODY, ...c })));
}

interface Step {
  label: string;
  /** Planned seconds, for the time-left estimate. */
  planned: number;
  run: () => Promise<void>;
}

export async function runBench(argv: string[]): Promise<void> {
  const options = parseArgs(argv);
  if (argv.includes('--render-only')) {
    const source = options.quick ? join(repoRoot, 'bench', 'results', 'BENCHMARKS-quick.json') : join(repoRoot, 'BENCHMARKS.json');
    const saved = JSON.parse(readFileSync(source, 'utf8')) as RunInfo;
    const written = writeReports(saved, (key) => saved.figures.find((f) => f.key === key));
    process.stdout.write(`roomkey bench: rewrote ${written.join(', ')} from ${relative(repoRoot, source)}\n`);
    return;
  }
  if (process.platform !== 'linux') throw new Error('the benchmark reads CPU time and RSS from /proc: run it on Linux');
  if (!natsServerScript.findNatsServer()) throw new Error(`no nats-server found: ${natsServerScript.HOW_TO_GET_ONE}`);

  const workDir = mkdtempSync(join(tmpdir(), 'roomkey-bench-'));
  const profileDir = options.profile ? join(repoRoot, 'bench', 'results', 'profiles') : undefined;
  const run: RunInfo = {
    options,
    machine: machineInfo(),
    startedAt: new Date().toISOString(),
    figures: [],
    setup: [],
    peakRss: {},
    notes: [],
  };
  const figure = (key: string) => run.figures.find((f) => f.key === key);
  const W = options.warmupSeconds;
  const M = options.measureSeconds;
  const F = W + M + 1;
  let progress: Progress;

  let baseline: BaselineSystem | undefined;
  let peer: PeerSystem | undefined;
  let roomkey: RoomkeySystem | undefined;
  let started: StartCommandSystem | undefined;
  let before: RoomkeySystem | undefined;
  const stopAll = async () => {
    for (const system of [baseline, peer, roomkey, started, before]) {
      if (!system) continue;
      await system.stop(peakRssMB).catch(() => undefined);
      Object.assign(run.peakRss, system.peakRss);
    }
  };
  const onSignal = () => {
    process.stdout.write('\nroomkey bench: interrupted; stopping the servers…\n');
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  type Spec = Pick<Figure, 'key' | 'system' | 'what' | 'setup' | 'unit'>;
  type Load = (seconds: number, onTick: Tick) => Promise<LoadResult>;
  interface Part {
    result: LoadResult;
    cpuByProcess: Record<string, number>;
    ownSeconds: number;
  }
  const label = (spec: Spec) => `${spec.what} (${spec.system}, ${spec.setup})`;
  const warmUp = async (spec: Spec, load: Load) => {
    if (W === 0) return;
    const warm = await load(W, (t, n) => progress.update(`warming up ${Math.min(W, Math.floor(t))}/${W} s · ${Math.round(n / Math.max(t, 0.001))}/s`));
    if (warm.count === 0) throw new Error(`${label(spec)}: nothing succeeded during the warm-up (${warm.failures} failures)`);
  };
  /** One measured stretch, with the CPU time of every server process read from /proc around it. */
  const measured = async (processes: () => ServerProcess[], load: Load, seconds: number, what = 'measuring'): Promise<Part> => {
    const before = cpuSnapshot(processes());
    const ownBefore = process.cpuUsage();
    const result = await load(seconds, (t, n) => progress.update(`${what} ${Math.min(seconds, Math.floor(t))}/${seconds} s · ${Math.round(n / Math.max(t, 0.001))}/s`));
    const own = process.cpuUsage(ownBefore);
    return { result, cpuByProcess: cpuDelta(before, cpuSnapshot(processes())), ownSeconds: (own.user + own.system) / 1e6 };
  };
  /** A figure from one or more measured stretches (p50: count-weighted mean of the parts'; p99: the worst part's). */
  const record = (spec: Spec, parts: Part[]): Figure => {
    const count = parts.reduce((sum, p) => sum + p.result.count, 0);
    const seconds = parts.reduce((sum, p) => sum + p.result.seconds, 0);
    const failures = parts.reduce((sum, p) => sum + p.result.failures, 0);
    const cpuByProcess: Record<string, number> = {};
    for (const part of parts) for (const [name, cpu] of Object.entries(part.cpuByProcess)) cpuByProcess[name] = (cpuByProcess[name] ?? 0) + cpu;
    const serverCpuSeconds = Object.values(cpuByProcess).reduce((sum, c) => sum + c, 0);
    const figure: Figure = {
      ...spec,
      count,
      seconds,
      rate: count / seconds,
      p50Ms: parts.reduce((sum, p) => sum + p.result.p50Ms * p.result.count, 0) / Math.max(count, 1),
      p99Ms: Math.max(...parts.map((p) => p.result.p99Ms)),
      failures,
      serverCpuSeconds,
      cpuByProcess,
      serverCpuUsPerOp: count > 0 ? (serverCpuSeconds * 1e6) / count : Number.NaN,
      loadGeneratorCpuSeconds: parts.reduce((sum, p) => sum + p.ownSeconds, 0),
    };
    if (count === 0) throw new Error(`${label(spec)}: nothing succeeded (${failures} failures)`);
    if (failures > 0) run.notes.push(`${label(spec)}: ${failures} failed requests during the measurement.`);
    run.figures.push(figure);
    return figure;
  };
  const summary = (f: Figure) =>
    `${Math.round(f.rate).toLocaleString('en-US')} ${f.unit} · p50 ${f.p50Ms.toFixed(1)} ms · p99 ${f.p99Ms.toFixed(1)} ms · ` +
    `${Math.round(f.serverCpuUsPerOp)} µs server CPU/op${f.failures ? ` · ${f.failures} failed` : ''}`;

  /** Warm-up, then a measurement with CPU time read from /proc around it. */
  const measure = async (spec: Spec, processes: () => ServerProcess[], load: Load): Promise<Figure> => {
    await warmUp(spec, load);
    const figure = record(spec, [await measured(processes, load, M)]);
    progress.done(summary(figure));
    return figure;
  };
  /**
   * Figures to compare (systems side by side, or one system in two setups), every load aimed at its
   * own processes: all warmed up, then measured in turns — as many rounds as figures, M ÷ rounds
   * seconds each, the order rotating every round (A B C, B C A, C A B) — so a machine that gets
   * busier or quieter meanwhile moves all alike, and no figure always follows the same one (what a
   * turn leaves behind, a collection or closing sockets, lands on each in turn; measured in an A/A
   * run of one build against itself: the one always second lost 5–10 % on HTTP).
   */
  /** How `measureInTurns` splits M seconds for `count` figures: as many rounds as figures (2 at least). */
  const turnsOf = (count: number) => {
    const rounds = Math.max(2, count);
    return { rounds, slice: Math.max(1, Math.round(M / rounds)) };
  };
  const measureInTurns = async (specs: Spec[], processes: Array<() => ServerProcess[]>, loads: Load[]): Promise<Figure[]> => {
    for (let i = 0; i < specs.length; i++) await warmUp(specs[i], loads[i]);
    const { rounds, slice } = turnsOf(specs.length);
    const parts: Part[][] = specs.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < specs.length; k++) {
        const i = (round + k) % specs.length;
        parts[i].push(await measured(processes[i], loads[i], slice, `measuring ${specs[i].system} (${specs[i].setup.split(',')[0]}), turn ${round + 1}/${rounds},`));
      }
    }
    const figures = specs.map((spec, i) => record(spec, parts[i]));
    progress.done(figures.map((f, i) => `${specs[i].system}, ${specs[i].setup}: ${summary(f)}`).join('  |  '));
    return figures;
  };
  /** The seconds `measureInTurns` takes for `count` figures (for the time-left estimate). */
  const inTurnsSeconds = (count: number) => {
    const { rounds, slice } = turnsOf(count);
    return count * (W + rounds * slice) + 1;
  };
  /** Two figures of one system in two setups (1 tenant vs many; bench layout vs npm start; A/B). */
  const measurePair = async (
    specs: [Spec, Spec],
    processes: (() => ServerProcess[]) | [() => ServerProcess[], () => ServerProcess[]],
    loads: [Load, Load],
  ): Promise<Figure[]> => measureInTurns(specs, Array.isArray(processes) ? processes : [processes, processes], loads);
  const timed = async (name: string, count: number, task: () => Promise<void>): Promise<SetupTiming> => {
    const started = performance.now();
    await task();
    const seconds = (performance.now() - started) / 1000;
    const timing = { name, count, seconds, rate: count / seconds };
    run.setup.push(timing);
    progress.done(`${count.toLocaleString('en-US')} in ${seconds.toFixed(1)} s (${Math.round(timing.rate).toLocaleString('en-US')}/s)`);
    return timing;
  };

  // Shared state between steps.
  let baselineTokens: string[] = [];
  let bench = { apiKey: '', secret: '' };
  let client = { clientId: '', clientSecret: '' };
  let roomkeyTokens: string[] = [];
  let tenantKeys: Array<{ apiKey: string; secret: string }> = [];
  const baselineCredentials = { apiKey: 'rk_prod_baseline', secret: 'baseline-secret' };
  const bProcesses = () => baseline!.running();
  const rProcesses = () => roomkey!.running();

  const pProcesses = () => peer!.running();
  const connections = options.connections;
  /** Each system's endpoint and credentials on each HTTP path. */
  const ccTargets: Record<'roomkey' | 'baseline' | 'peer', () => HttpTarget> = {
    roomkey: () => ccTarget(roomkey!.url, '/realms/bench/protocol/openid-connect/token', client.clientId, client.clientSecret),
    baseline: () => ccTarget(baseline!.url, `/realms/${BASELINE_TENANT}/protocol/openid-connect/token`, 'rkc_baseline', 'secret'),
    peer: () => ccTarget(peer!.url, '/token', peer!.clientId, peer!.clientSecret),
  };
  const catTargets: Record<'roomkey' | 'baseline', () => HttpTarget> = {
    roomkey: () => catTarget(roomkey!.url, [bench]),
    baseline: () => catTarget(baseline!.url, [baselineCredentials]),
  };
  const saturated = (target: () => HttpTarget): Load => (s, t) => httpLoad(target(), { connections, seconds: s, onTick: t });
  const setupOf = { roomkey: (n: number) => `${n} issuer${n > 1 ? 's' : ''}`, baseline: (n: number) => `${n} signer${n > 1 ? 's' : ''}`, peer: () => '1 process' };
  const processesOf = { roomkey: rProcesses, baseline: bProcesses, peer: pProcesses };

  /**
   * The issuance paths with `n` issuers (roomkey) and `n` signers (baseline), and with 1 the peer's
   * client_credentials: every system running at once, measured in turns (`measureInTurns`).
   */
  const sideBySide = (n: number): Step[] => {
    const inTurns = (what: string, unit: string, key: string, systems: Array<'roomkey' | 'baseline' | 'peer'>, loadOf: (system: 'roomkey' | 'baseline' | 'peer') => Load): Step => ({
      label: `${what}, side by side in turns: ${systems.map((system) => `${system} (${setupOf[system](n)})`).join(' · ')}`,
      planned: inTurnsSeconds(systems.length),
      run: async () => {
        await measureInTurns(
          systems.map((system) => ({ key: `${system}.${key}.${system === 'peer' ? 1 : n}`, system, what, setup: setupOf[system](n), unit })),
          systems.map((system) => processesOf[system]),
          systems.map(loadOf),
        );
      },
    });
    const steps: Step[] = [
      inTurns('HTTP client_credentials', 'tokens/s', 'http.cc', n === 1 ? ['roomkey', 'baseline', 'peer'] : ['roomkey', 'baseline'], (system) => saturated(ccTargets[system])),
      inTurns('HTTP CreateAccessToken', 'tokens/s', 'http.cat', ['roomkey', 'baseline'], (system) => saturated(catTargets[system as 'roomkey' | 'baseline'])),
      inTurns('NATS tokens.create', 'tokens/s', 'nats.create', ['roomkey', 'baseline'], (system) =>
        system === 'roomkey'
          ? (s, t) => natsLoad(roomkey!.connection, 'roomkey.v1.tokens.create', catBodies([bench]), { inFlight: options.inFlight, seconds: s, onTick: t })
          : (s, t) => natsLoad(baseline!.connection, 'bench.baseline.tokens.create', catBodies([baselineCredentials]), { inFlight: options.inFlight, seconds: s, onTick: t }),
      ),
    ];
    const verifyLoad = (system: 'roomkey' | 'baseline' | 'peer'): Load =>
      system === 'roomkey'
        ? saturated(() => verifyTarget(roomkey!.url, bench, roomkeyTokens))
        : saturated(() => verifyTarget(baseline!.url, baselineCredentials, baselineTokens));
    if (n === 1) {
      steps.push(inTurns('HTTP /v1/tokens/verify', 'verifications/s', 'http.verify', ['roomkey', 'baseline'], verifyLoad));
      // After the saturated figures: the same warm processes, at a load they can serve.
      steps.push(pacedInTurns('cc', 'HTTP client_credentials', ['roomkey', 'baseline', 'peer']), pacedInTurns('cat', 'HTTP CreateAccessToken', ['roomkey', 'baseline']));
    } else {
      steps.push({
        label: `HTTP /v1/tokens/verify: roomkey (${setupOf.roomkey(n)})`,
        planned: F,
        run: async () => {
          await measure({ key: `roomkey.http.verify.${n}`, system: 'roomkey', what: 'HTTP /v1/tokens/verify', setup: setupOf.roomkey(n), unit: 'verifications/s' }, rProcesses, verifyLoad('roomkey'));
        },
      });
    }
    return steps;
  };

  /**
   * Latency at a fixed offered load: half of what the bare baseline sustained on this path in this
   * run (measured first), the same rate for every system, 64 connections, open loop, in turns. At
   * saturation a closed loop's latency is connections ÷ throughput (Little's law), whatever the server does.
   */
  const pacedRate = (path: 'cc' | 'cat') => Math.max(50, Math.round(0.5 * (figure(`baseline.http.${path}.1`)?.rate ?? 1000)));
  function pacedInTurns(path: 'cc' | 'cat', what: string, systems: Array<'roomkey' | 'baseline' | 'peer'>): Step {
    return {
      label: `${what} at a fixed offered rate (half the baseline's, open loop), side by side in turns: ${systems.join(' · ')}`,
      planned: inTurnsSeconds(systems.length),
      run: async () => {
        const rate = pacedRate(path);
        const targets: Record<string, () => HttpTarget> = path === 'cc' ? ccTargets : catTargets;
        await measureInTurns(
          systems.map((system) => ({ key: `${system}.http.${path}.paced`, system, what, setup: `${setupOf[system](1)}, ${rate.toLocaleString('en-US')}/s offered`, unit: 'tokens/s' })),
          systems.map((system) => processesOf[system]),
          systems.map((system): Load => (s, t) => pacedHttpLoad(targets[system](), { connections, rate, seconds: s, onTick: t })),
        );
      },
    };
  }

  let startBench = { apiKey: '', secret: '' };
  let startClient = { clientId: '', clientSecret: '' };
  const sProcesses = () => started!.running();
  const startLabel = 'npm start';
  const startSpec = (key: string, what: string, unit = 'tokens/s'): Spec => ({ key: `start.${key}.1`, system: 'npm start', what, setup: '1 issuer, as npm start runs it', unit });
  const startSystemStep: Step = {
    label: 'npm start: scripts/start.js on free ports (its own nats-server with users and permissions, the supervisor, keys, issuer, identity, gateway)',
    planned: 12,
    run: async () => {
      started = await StartCommandSystem.start(join(workDir, 'npm-start'), profileDir, options.startNatsUrl ? { NATS_URL: options.startNatsUrl } : {});
      await started.createTenant('bench');
      startBench = await started.createApiKey('bench');
      startClient = await started.createClient('bench');
      progress.done(`ready at ${started.url} (${started.running().map((p) => p.name).join(', ')})`);
    },
  };
  const startLoads = {
    cc: (s: number, t: Tick) => httpLoad(ccTarget(started!.url, '/realms/bench/protocol/openid-connect/token', startClient.clientId, startClient.clientSecret), { connections: options.connections, seconds: s, onTick: t }),
    cat: (s: number, t: Tick) => httpLoad(catTarget(started!.url, [startBench]), { connections: options.connections, seconds: s, onTick: t }),
    nats: (s: number, t: Tick) => natsLoad(started!.connection, 'roomkey.v1.tokens.create', catBodies([startBench]), { inFlight: options.inFlight, seconds: s, onTick: t }),
  };
  const roomkeyLoads = {
    cc: (s: number, t: Tick) => httpLoad(ccTarget(roomkey!.url, '/realms/bench/protocol/openid-connect/token', client.clientId, client.clientSecret), { connections: options.connections, seconds: s, onTick: t }),
    cat: (s: number, t: Tick) => httpLoad(catTarget(roomkey!.url, [bench]), { connections: options.connections, seconds: s, onTick: t }),
    nats: (s: number, t: Tick) => natsLoad(roomkey!.connection, 'roomkey.v1.tokens.create', catBodies([bench]), { inFlight: options.inFlight, seconds: s, onTick: t }),
  };
  const paths = [
    ['cc', 'http.cc', 'HTTP client_credentials'],
    ['cat', 'http.cat', 'HTTP CreateAccessToken'],
    ['nats', 'nats.create', 'NATS tokens.create'],
  ] as const;
  /** The full run: the three issuance paths through `npm start`, after the bench layout's. */
  const startFigures: Step[] = [
    startSystemStep,
    ...paths.map(([load, key, what]) => ({
      label: `${startLabel}: ${what} (1 issuer)`,
      planned: F,
      run: async () => {
        await measure(startSpec(key, what), sProcesses, startLoads[load]);
      },
    })),
    {
      label: 'npm start: stopping',
      planned: 2,
      run: async () => {
        await started!.stop(peakRssMB);
        Object.assign(run.peakRss, Object.fromEntries(Object.entries(started!.peakRss).map(([name, peak]) => [`npm-start/${name}`, peak])));
        started = undefined;
        progress.done('stopped');
      },
    },
  ];

  const tenantSetupRate = 800; // per second, for the time-left estimate only
  const revocationRate = 8000;
  const steps: Step[] = [
    {
      label: 'starting the three side by side: baseline (nats-server, Fastify, a signer), peer (oidc-provider), roomkey (nats-server, keys, issuer, gateway; a tenant, an API key, a client)',
      planned: 16,
      run: async () => {
        baseline = await BaselineSystem.start(join(workDir, 'baseline'), profileDir);
        peer = await PeerSystem.start(join(workDir, 'peer'), profileDir);
        roomkey = await RoomkeySystem.start(join(workDir, 'roomkey'), profileDir);
        await roomkey.createTenant('bench');
        bench = await roomkey.createApiKey('bench');
        client = await roomkey.createClient('bench');
        roomkeyTokens = await roomkey.issueTokens(bench, options.tokenPool);
        baselineTokens = await baseline.issueTokens(options.tokenPool);
        progress.done(`baseline at ${baseline.url}, peer at ${peer.url}, roomkey at ${roomkey.url}`);
      },
    },
    ...sideBySide(1),
    {
      label: 'peer: stopping; baseline: a second signer; roomkey: a second issuer',
      planned: 6,
      run: async () => {
        await peer!.stop(peakRssMB);
        Object.assign(run.peakRss, peer!.peakRss);
        await baseline!.addSigner();
        await roomkey!.addIssuer();
        progress.done('ready');
      },
    },
    ...sideBySide(2),
    {
      label: 'baseline: stopping',
      planned: 1,
      run: async () => {
        await baseline!.stop(peakRssMB);
        Object.assign(run.peakRss, baseline!.peakRss);
        progress.done('stopped');
      },
    },
    ...startFigures,
    {
      label: 'local verification against the JWKS (jose, one core of the load generator)',
      planned: M + 1,
      run: async () => {
        const result = await localVerifyLoad(
          `${roomkey!.url}/realms/bench/protocol/openid-connect/certs`,
          roomkeyTokens,
          { issuer: `${roomkey!.url}/realms/bench`, audience: 'roomkey' },
          { seconds: M, onTick: (t, n) => progress.update(`measuring ${Math.floor(t)}/${M} s · ${Math.round(n / Math.max(t, 0.001))}/s`) },
        );
        const own = result.seconds; // one thread, busy the whole time
        run.figures.push({
          key: 'roomkey.local.verify',
          system: 'roomkey',
          what: 'Local verification (JWKS, jose)',
          setup: 'load generator, 1 thread',
          unit: 'verifications/s',
          ...result,
          serverCpuSeconds: 0,
          cpuByProcess: {},
          serverCpuUsPerOp: Number.NaN,
          loadGeneratorCpuSeconds: own,
        });
        progress.done(`${Math.round(result.rate).toLocaleString('en-US')} verifications/s · ${(1e6 / result.rate).toFixed(0)} µs each · p99 ${result.p99Ms.toFixed(2)} ms`);
      },
    },
    {
      label: "local verification: roomkey's LocalVerifier vs jose.jwtVerify with a remote JWKS set (bench/local-verification.ts), in turns",
      planned: 2 * M + 2,
      run: async () => {
        // Written by another part of issue 12; the target is marked missing when it is not there.
        const file = join(__dirname, 'local-verification.js');
        if (!existsSync(file)) {
          progress.done('missing (no bench/local-verification.ts)');
          return;
        }
        const { measureLocalVerification } = require(file) as typeof import('./local-verification');
        const result = await measureLocalVerification({ seconds: M, onTick: (what) => progress.update(what) });
        run.localVerification = result;
        progress.done(`${result.ratio.toFixed(2)}× jose (${Math.round(result.roomkeyPerSecond).toLocaleString('en-US')} vs ${Math.round(result.josePerSecond).toLocaleString('en-US')}/s; CPU per verification ${result.roomkeyCpuUsPerOp.toFixed(0)} vs ${result.joseCpuUsPerOp.toFixed(0)} µs)`);
      },
    },
    {
      label: `roomkey: creating ${options.tenants.toLocaleString('en-US')} tenants and their API keys (admin API, 32 in parallel)`,
      planned: (2 * options.tenants) / tenantSetupRate,
      run: async () => {
        roomkey!.recordPeakRss(peakRssMB);
        Object.assign(run.peakRss, roomkey!.peakRss);
        run.peakRssBeforeScale = { ...roomkey!.peakRss };
        await roomkey!.stopLastIssuer(peakRssMB);
        const names = Array.from({ length: options.tenants }, (_, i) => `scale-${String(i + 1).padStart(5, '0')}`);
        await timed('tenants created (admin API, 32 in parallel; each makes two ES256 keys)', options.tenants, async () => {
          let done = 0;
          await mapLimit(names, 32, async (name) => {
            await roomkey!.createTenant(name);
            if (++done % 250 === 0) progress.update(`tenants ${done.toLocaleString('en-US')}/${options.tenants.toLocaleString('en-US')}`);
          });
        });
        await timed('API keys created (admin API, 32 in parallel)', options.tenants, async () => {
          let done = 0;
          tenantKeys = await mapLimit(names, 32, async (name) => {
            const key = await roomkey!.createApiKey(name);
            if (++done % 250 === 0) progress.update(`API keys ${done.toLocaleString('en-US')}/${options.tenants.toLocaleString('en-US')}`);
            return key;
          });
        });
      },
    },
    {
      label: `roomkey: first token of each of the ${options.tenants.toLocaleString('en-US')} tenants (cold caches, NATS, 64 in flight)`,
      planned: options.tenants / 1500,
      run: async () => {
        const bodies = catBodies(tenantKeys);
        await timed('first token per tenant (loads the key and keyring into the issuer)', options.tenants, async () => {
          let failed = 0;
          await mapLimit(bodies, options.inFlight, async (body) => {
            const reply = await roomkey!.connection.request('roomkey.v1.tokens.create', body, { timeout: 30_000 });
            if (!reply.string().startsWith('{"ok":true')) failed++;
          });
          if (failed) throw new Error(`${failed} first tokens failed`);
        });
      },
    },
    {
      label: `roomkey: HTTP CreateAccessToken, 1 tenant vs ${options.tenants.toLocaleString('en-US')} tenants, in turns (1 issuer)`,
      planned: 2 * W + 2 * Math.max(1, Math.round(M / 2)) * 2 + 1,
      run: async () => {
        await measurePair(
          [
            { key: 'roomkey.http.cat.tenants.1', system: 'roomkey', what: 'HTTP CreateAccessToken', setup: '1 tenant, 1 issuer', unit: 'tokens/s' },
            { key: 'roomkey.http.cat.tenants.n', system: 'roomkey', what: 'HTTP CreateAccessToken', setup: `${options.tenants.toLocaleString('en-US')} tenants, 1 issuer`, unit: 'tokens/s' },
          ],
          rProcesses,
          [
            (s, t) => httpLoad(catTarget(roomkey!.url, [bench]), { connections: options.connections, seconds: s, onTick: t }),
            (s, t) => httpLoad(catTarget(roomkey!.url, tenantKeys), { connections: options.connections, seconds: s, onTick: t }),
          ],
        );
        roomkey!.recordPeakRss(peakRssMB);
        run.peakRssAfterTenants = { ...roomkey!.peakRss };
      },
    },
    {
      label: 'roomkey: HTTP /v1/tokens/verify, 0 revoked (reference, 1 issuer)',
      planned: F,
      run: async () => {
        await measure({ key: 'roomkey.http.verify.revoked.0', system: 'roomkey', what: 'HTTP /v1/tokens/verify', setup: '0 revoked, 1 issuer', unit: 'verifications/s' }, rProcesses, (s, t) =>
          httpLoad(verifyTarget(roomkey!.url, bench, roomkeyTokens), { connections: options.connections, seconds: s, onTick: t }),
        );
      },
    },
    {
      label: `roomkey: revoking ${options.revocations.toLocaleString('en-US')} token ids (NATS, what /v1/tokens/revoke forwards; 64 in flight)`,
      planned: options.revocations / revocationRate,
      run: async () => {
        // One real token among them: it must be refused afterwards.
        const [victim] = await roomkey!.issueTokens(bench, 1);
        const victimJti = String(decodeJwt(victim).jti);
        const jtis = Array.from({ length: options.revocations }, (_, i) => (i === 0 ? victimJti : `bench-revoked-${i}`));
        await timed('token ids revoked (NATS, 64 in parallel; KV put + event each)', options.revocations, async () => {
          let done = 0;
          await mapLimit(jtis, options.inFlight, async (jti) => {
            await roomkey!.revokeJti(bench, jti);
            if (++done % 1000 === 0) progress.update(`revoked ${done.toLocaleString('en-US')}/${options.revocations.toLocaleString('en-US')}`);
          });
        });
        const check = await fetch(`${roomkey!.url}/v1/tokens/verify`, {
          method: 'POST',
          headers: { authorization: basicAuthorization(bench.apiKey, bench.secret), 'content-type': 'application/json' },
          body: JSON.stringify({ token: victim }),
        });
        await check.arrayBuffer();
        if (check.status !== 401) throw new Error(`a revoked token still verifies (HTTP ${check.status})`);
      },
    },
    {
      label: `roomkey: HTTP /v1/tokens/verify, ${options.revocations.toLocaleString('en-US')} revoked (1 issuer)`,
      planned: F,
      run: async () => {
        await measure(
          { key: 'roomkey.http.verify.revoked.n', system: 'roomkey', what: 'HTTP /v1/tokens/verify', setup: `${options.revocations.toLocaleString('en-US')} revoked, 1 issuer`, unit: 'verifications/s' },
          rProcesses,
          (s, t) => httpLoad(verifyTarget(roomkey!.url, bench, roomkeyTokens), { connections: options.connections, seconds: s, onTick: t }),
        );
      },
    },
  ];

  if (options.viaStart) {
    steps.splice(
      0,
      steps.length,
      {
        label: 'roomkey (bench layout): starting nats-server, keys, issuer and gateway; a tenant, an API key, a client',
        planned: 10,
        run: async () => {
          roomkey = await RoomkeySystem.start(join(workDir, 'roomkey'), profileDir);
          await roomkey.createTenant('bench');
          bench = await roomkey.createApiKey('bench');
          client = await roomkey.createClient('bench');
          progress.done(`ready at ${roomkey.url}`);
        },
      },
      startSystemStep,
      ...paths.map(([load, key, what]) => ({
        label: `${what}: bench layout vs npm start, in turns`,
        planned: 2 * W + 2 * Math.max(1, Math.round(M / 2)) * 2 + 1,
        run: async () => {
          await measurePair(
            [{ key: `roomkey.${key}.1`, system: 'roomkey', what, setup: '1 issuer, bench layout', unit: 'tokens/s' }, startSpec(key, what)],
            [rProcesses, sProcesses],
            [roomkeyLoads[load], startLoads[load]],
          );
        },
      })),
    );
  }

  if (options.abDist) {
    const abDist = options.abDist;
    let beforeBench = { apiKey: '', secret: '' };
    let beforeClient = { clientId: '', clientSecret: '' };
    const beforeLoads = {
      cc: (s: number, t: Tick) => httpLoad(ccTarget(before!.url, '/realms/bench/protocol/openid-connect/token', beforeClient.clientId, beforeClient.clientSecret), { connections: options.connections, seconds: s, onTick: t }),
      cat: (s: number, t: Tick) => httpLoad(catTarget(before!.url, [beforeBench]), { connections: options.connections, seconds: s, onTick: t }),
      nats: (s: number, t: Tick) => natsLoad(before!.connection, 'roomkey.v1.tokens.create', catBodies([beforeBench]), { inFlight: options.inFlight, seconds: s, onTick: t }),
    };
    const spec = (which: 'before' | 'after', key: string, what: string): Spec => ({ key: `ab.${which}.${key}`, system: 'roomkey', what, setup: `1 issuer, ${which}`, unit: 'tokens/s' });
    steps.splice(
      0,
      steps.length,
      {
        label: `roomkey before (${abDist}) and after (dist/): starting both; a tenant, an API key, a client on each`,
        planned: 20,
        run: async () => {
          before = await RoomkeySystem.start(join(workDir, 'before'), profileDir, { distRoot: abDist, label: 'before' });
          await before.createTenant('bench');
          beforeBench = await before.createApiKey('bench');
          beforeClient = await before.createClient('bench');
          roomkey = await RoomkeySystem.start(join(workDir, 'after'), profileDir, { distRoot: join(repoRoot, 'dist'), label: 'after' });
          await roomkey.createTenant('bench');
          bench = await roomkey.createApiKey('bench');
          client = await roomkey.createClient('bench');
          progress.done(`before at ${before.url}, after at ${roomkey.url}`);
        },
      },
      ...paths.map(([load, key, what]) => ({
        label: `${what}: before vs after, in turns`,
        planned: 2 * W + 2 * Math.max(1, Math.round(M / 2)) * 2 + 1,
        run: async () => {
          await measurePair([spec('before', key, what), spec('after', key, what)], [() => before!.running(), rProcesses], [beforeLoads[load], roomkeyLoads[load]]);
        },
      })),
    );
  }

  progress = new Progress(steps.map((s) => s.planned));
  const total = steps.reduce((sum, s) => sum + s.planned, 0);
  progress.note(
    `roomkey bench (${options.quick ? 'quick' : 'full'}): ${steps.length} steps, about ${clock(total)} · ${options.connections} HTTP connections, ` +
      `${options.inFlight} NATS requests in flight · ${W} s warm-up + ${M} s per figure · ${run.machine.cpus} × ${run.machine.cpuModel} (load generator included)`,
  );
  let failed: unknown;
  try {
    for (const step of steps) {
      progress.begin(step.label);
      await step.run();
    }
  } catch (error) {
    failed = error;
  } finally {
    await stopAll();
  }
  if (failed) {
    progress.note(`\nroomkey bench failed: ${(failed as Error).message}\nServer logs are kept in ${workDir}`);
    process.exitCode = 1;
    return;
  }
  rmSync(workDir, { recursive: true, force: true });
  run.finishedAt = new Date().toISOString();
  run.seconds = (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000;
  const written = options.abDist ? writeAbReport(run, figure) : options.viaStart ? writeViaStartReport(run, figure) : writeReports(run, figure);
  progress.note(`\nroomkey bench: done in ${clock(run.seconds)}. Wrote ${written.join(', ')}`);
  if (profileDir) progress.note(`CPU profiles: ${profileDir} (processes.txt says which pid was which process)`);
}

if (require.main === module) {
  runBench(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`roomkey bench: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
