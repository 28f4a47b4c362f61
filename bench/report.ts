/**
 * BENCHMARKS.md (ratios first, then targets, memory, set-up times and method) and the raw numbers
 * as JSON. A full run writes both at the repository root; `--quick` writes them under bench/results/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import type { LoadResult } from './support/load';
import { natsServerScript, repoRoot } from './support/processes';
import { clock } from './support/progress';
import type { BenchOptions } from './main';

export interface Figure extends LoadResult {
  key: string;
  system: 'roomkey' | 'baseline' | 'peer' | 'npm start';
  what: string;
  setup: string;
  unit: string;
  /** CPU seconds of every server process (and nats-server) during the measurement. */
  serverCpuSeconds: number;
  cpuByProcess: Record<string, number>;
  serverCpuUsPerOp: number;
  loadGeneratorCpuSeconds: number;
}

export interface SetupTiming {
  name: string;
  count: number;
  seconds: number;
  rate: number;
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGB: number;
  freeMemoryGB: number;
  loadAverageAtStart: number[];
  node: string;
  natsServer: string;
  kernel: string;
}

export interface RunInfo {
  options: BenchOptions;
  machine: MachineInfo;
  startedAt: string;
  finishedAt?: string;
  seconds?: number;
  figures: Figure[];
  setup: SetupTiming[];
  /** Peak RSS (VmHWM, MB) of every server process over the whole run. */
  peakRss: Record<string, number>;
  /** roomkey's peaks before the tenant and revocation figures (what plain load costs). */
  peakRssBeforeScale?: Record<string, number>;
  /** roomkey's peaks once every tenant has issued tokens (before the revocations). */
  peakRssAfterTenants?: Record<string, number>;
  /** bench/local-verification.ts: roomkey's LocalVerifier vs jose with a remote JWKS set. */
  localVerification?: { roomkeyPerSecond: number; josePerSecond: number; ratio: number; roomkeyCpuUsPerOp: number; joseCpuUsPerOp: number; cpuRatio: number };
  notes: string[];
}

/** Published anchors the issue compares with. */
export const ANCHORS = {
  keycloakClientCredentialsPerVcpu: 120,
  hydraClientCredentialsOn2Cpus: 411,
};

/** Issue 12's targets (measured side by side in one run). */
export const TARGETS = {
  vsPeerRate: 1.5,
  vsPeerCpu: 0.67,
  vsBaselineRate: 1.0,
  p99Ms: 15,
  natsVsBaseline: 1.3,
  rssMB: 150,
  scaleCost: 0.1,
  localVerifyVsJose: 1.5,
};

function commandOutput(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

export function machineInfo(): MachineInfo {
  const natsBinary = natsServerScript.findNatsServer();
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGB: Math.round(totalmem() / 1e9),
    freeMemoryGB: Math.round(freemem() / 1e9),
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    natsServer: natsBinary ? commandOutput(natsBinary, ['--version']).replace(/^nats-server:\s*/, '') : 'unknown',
    kernel: commandOutput('uname', ['-r']),
  };
}

const int = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '—' : Math.round(n).toLocaleString('en-US'));
const ms = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '—' : n < 10 ? n.toFixed(1) : n.toFixed(0));
const times = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '—' : `${n < 10 ? n.toFixed(2) : n.toFixed(1)}×`);
const pct = (n: number) => `${n >= 0 ? '+' : ''}${(n * 100).toFixed(1)} %`;
const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && b > 0 ? a / b : undefined);

type Lookup = (key: string) => Figure | undefined;

/** "10,000 tenants" out of "10,000 tenants, 1 issuer". */
const scaleLabel = (f: Figure) => f.setup.replace(/, \d+ issuers?$/, '');

interface Row {
  figure: string;
  roomkey: string;
  baseline: string;
  peer: string;
  ratio: string;
}

/** "1,911/s offered", the last part of a fixed-load figure's setup (bench/main.ts pacedSetup). */
const offeredRate = (f: Figure) => f.setup.split(', ').pop();

/** Latency at the fixed offered rate (open loop), roomkey beside the baseline and the peer. */
function pacedRows(get: Lookup, label: string, path: string): Row[] {
  const r = get(`roomkey.${path}.paced`);
  const b = get(`baseline.${path}.paced`);
  const p = get(`peer.${path}.paced`);
  if (!r) return [];
  const versus = (value: (f: Figure) => number, prefix = '') =>
    [b ? `${prefix}${times(ratio(value(r), value(b)))} baseline` : '', p ? `${times(ratio(value(r), value(p)))} peer` : ''].filter(Boolean).join(' · ') || '—';
  return [
    {
      figure: `${label} at ${offeredRate(r)} (open loop, 64 connections), p50 / p99 ms`,
      roomkey: `${ms(r.p50Ms)} / ${ms(r.p99Ms)}`,
      baseline: b ? `${ms(b.p50Ms)} / ${ms(b.p99Ms)}` : '—',
      peer: p ? `${ms(p.p50Ms)} / ${ms(p.p99Ms)}` : '—',
      ratio: versus((f) => f.p99Ms, 'p99 '),
    },
    {
      figure: `${label} at ${offeredRate(r)}, server CPU µs per token`,
      roomkey: int(r.serverCpuUsPerOp),
      baseline: int(b?.serverCpuUsPerOp),
      peer: int(p?.serverCpuUsPerOp),
      ratio: versus((f) => f.serverCpuUsPerOp),
    },
  ];
}

/** Three rows per issuance path: rate, latency, CPU. */
function pathRows(get: Lookup, label: string, path: string, n: number, withPeer: boolean): Row[] {
  const r = get(`roomkey.${path}.${n}`);
  const b = get(`baseline.${path}.${n}`);
  const p = withPeer && n === 1 ? get(`peer.${path}.1`) : undefined;
  if (!r) return [];
  const unit = r.unit;
  const setup = `${n} issuer${n > 1 ? 's' : ''} · ${n} signer${n > 1 ? 's' : ''}${p ? ' · 1 process' : ''}`;
  const rateRatio = [b ? `**${times(ratio(r.rate, b.rate))} baseline**` : '', p ? `${times(ratio(r.rate, p.rate))} peer` : ''].filter(Boolean).join(' · ');
  const cpuRatio = [b ? `${times(ratio(r.serverCpuUsPerOp, b.serverCpuUsPerOp))} baseline` : '', p ? `${times(ratio(r.serverCpuUsPerOp, p.serverCpuUsPerOp))} peer` : ''].filter(Boolean).join(' · ');
  return [
    { figure: `${label}, ${unit} (${setup})`, roomkey: `**${int(r.rate)}**`, baseline: int(b?.rate), peer: int(p?.rate), ratio: rateRatio || '—' },
    { figure: `${label}, p50 / p99 ms`, roomkey: `${ms(r.p50Ms)} / ${ms(r.p99Ms)}`, baseline: b ? `${ms(b.p50Ms)} / ${ms(b.p99Ms)}` : '—', peer: p ? `${ms(p.p50Ms)} / ${ms(p.p99Ms)}` : '—', ratio: b ? `p99 ${times(ratio(r.p99Ms, b.p99Ms))} baseline` : '—' },
    { figure: `${label}, server CPU µs per ${unit.startsWith('verif') ? 'verification' : 'token'}`, roomkey: int(r.serverCpuUsPerOp), baseline: int(b?.serverCpuUsPerOp), peer: int(p?.serverCpuUsPerOp), ratio: cpuRatio || '—' },
  ];
}

interface TargetCheck {
  target: string;
  measured: string;
  holds: boolean | undefined;
}

function targetChecks(run: RunInfo, get: Lookup): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const peer = get('peer.http.cc.1');
  for (const [label, path] of [
    ['HTTP client_credentials', 'http.cc'],
    ['HTTP CreateAccessToken', 'http.cat'],
  ]) {
    const r = get(`roomkey.${path}.1`);
    const b = get(`baseline.${path}.1`);
    const vsPeer = ratio(r?.rate, peer?.rate);
    const cpuVsPeer = ratio(r?.serverCpuUsPerOp, peer?.serverCpuUsPerOp);
    const vsBaseline = ratio(r?.rate, b?.rate);
    const peerWhat = path === 'http.cc' ? "the peer's" : "the peer's client_credentials";
    checks.push({
      target: `${label} ≥ ${TARGETS.vsPeerRate}× ${peerWhat} tokens/s (1 issuer vs 1 process)`,
      measured: vsPeer === undefined ? '—' : `${times(vsPeer)} (${int(r?.rate)} vs ${int(peer?.rate)})`,
      holds: vsPeer === undefined ? undefined : vsPeer >= TARGETS.vsPeerRate,
    });
    checks.push({
      target: `${label} ≤ ${TARGETS.vsPeerCpu}× ${peerWhat} server CPU per token`,
      measured: cpuVsPeer === undefined ? '—' : `${times(cpuVsPeer)} (${int(r?.serverCpuUsPerOp)} vs ${int(peer?.serverCpuUsPerOp)} µs)`,
      holds: cpuVsPeer === undefined ? undefined : cpuVsPeer <= TARGETS.vsPeerCpu,
    });
    checks.push({
      target: `${label} ≥ ${TARGETS.vsBaselineRate.toFixed(1)}× the bare baseline's tokens/s (1 issuer vs 1 signer)`,
      measured: vsBaseline === undefined ? '—' : `${times(vsBaseline)} (${int(r?.rate)} vs ${int(b?.rate)})`,
      holds: vsBaseline === undefined ? undefined : vsBaseline >= TARGETS.vsBaselineRate,
    });
    // Latency is judged at a fixed offered load (half the bare baseline's saturated rate, open loop):
    // at saturation a closed loop's latency is connections ÷ throughput whatever the server does.
    // Runs from before that figure existed are judged on the saturated p99.
    const paced = get(`roomkey.${path}.paced`);
    checks.push({
      target: paced
        ? `${label} p99 ≤ ${TARGETS.p99Ms} ms at ${run.options.connections} connections, ${offeredRate(paced)} (half the baseline's saturated rate, open loop; 1 issuer)`
        : `${label} p99 ≤ ${TARGETS.p99Ms} ms at ${run.options.connections} connections (1 issuer)`,
      measured: paced ? `${ms(paced.p99Ms)} ms (saturated: ${ms(r?.p99Ms)} ms)` : r ? `${ms(r.p99Ms)} ms` : '—',
      holds: paced ? paced.p99Ms <= TARGETS.p99Ms && paced.failures === 0 : r ? r.p99Ms <= TARGETS.p99Ms : undefined,
    });
  }
  {
    const r = get('roomkey.nats.create.1');
    const b = get('baseline.nats.create.1');
    const value = ratio(r?.rate, b?.rate);
    checks.push({
      target: `NATS tokens.create from a plain client ≥ ${TARGETS.natsVsBaseline}× the baseline's NATS path (1 issuer vs 1 signer)`,
      measured: value === undefined ? '—' : `${times(value)} (${int(r?.rate)} vs ${int(b?.rate)})`,
      holds: value === undefined ? undefined : value >= TARGETS.natsVsBaseline,
    });
  }
  const t1 = get('roomkey.http.cat.tenants.1');
  const tn = get('roomkey.http.cat.tenants.n');
  if (t1 && tn) {
    const change = tn.rate / t1.rate - 1;
    checks.push({ target: `${scaleLabel(tn)}: ≤ 10 % throughput cost versus 1 tenant (HTTP CreateAccessToken, in turns)`, measured: `${pct(change)} (${int(tn.rate)} vs ${int(t1.rate)} tokens/s)`, holds: -change <= TARGETS.scaleCost });
  }
  const rssCheck = (target: string, peaks: Record<string, number> | undefined) => {
    const services = Object.entries(peaks ?? {}).filter(([name]) => /^(keys|issuer-\d+|gateway)$/.test(name));
    if (!services.length) return;
    const over = services.filter(([, peak]) => peak > TARGETS.rssMB);
    const [worst, peak] = services.reduce((a, b) => (b[1] > a[1] ? b : a));
    const measured = over.length ? `over: ${over.map(([name, p]) => `${name} ${int(p)} MB`).join(', ')}` : `largest: ${worst} ${int(peak)} MB`;
    checks.push({ target, measured, holds: over.length === 0 });
  };
  rssCheck(`Every service ≤ ${TARGETS.rssMB} MB peak RSS with ${int(run.options.tenants)} tenants (peak, whole run)`, run.peakRss);
  const local = run.localVerification;
  checks.push({
    target: `Local verification (libs/verifier) ≥ ${TARGETS.localVerifyVsJose}× plain jose.jwtVerify with a remote JWKS set, same checks`,
    measured: local ? `${times(local.ratio)} (${int(local.roomkeyPerSecond)} vs ${int(local.josePerSecond)}/s; CPU ${times(local.cpuRatio)} in roomkey's favour)` : 'missing (no verifier module when this run was made)',
    holds: local ? local.ratio >= TARGETS.localVerifyVsJose : undefined,
  });
  return checks;
}

function table(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

function markdown(run: RunInfo, get: Lookup, checks: TargetCheck[], jsonPath: string): string {
  const { options, machine } = run;
  const mode = options.quick ? '`--quick`' : 'full';
  const rows: Row[] = [
    ...pathRows(get, 'HTTP client_credentials', 'http.cc', 1, true),
    ...pacedRows(get, 'HTTP client_credentials', 'http.cc'),
    ...pathRows(get, 'HTTP CreateAccessToken', 'http.cat', 1, false),
    ...pacedRows(get, 'HTTP CreateAccessToken', 'http.cat'),
    ...pathRows(get, 'NATS roomkey.v1.tokens.create', 'nats.create', 1, false),
    ...pathRows(get, 'HTTP /v1/tokens/verify', 'http.verify', 1, false),
  ];
  const local = get('roomkey.local.verify');
  if (local) {
    rows.push({
      figure: 'Local verification against the JWKS (jose, 1 thread), verifications/s',
      roomkey: `**${int(local.rate)}**`,
      baseline: '—',
      peer: '—',
      ratio: `${(1e6 / local.rate).toFixed(0)} µs each`,
    });
  }
  rows.push(
    ...pathRows(get, 'HTTP client_credentials', 'http.cc', 2, false),
    ...pathRows(get, 'HTTP CreateAccessToken', 'http.cat', 2, false),
    ...pathRows(get, 'NATS roomkey.v1.tokens.create', 'nats.create', 2, false),
    ...pathRows(get, 'HTTP /v1/tokens/verify', 'http.verify', 2, false),
  );
  const t1 = get('roomkey.http.cat.tenants.1');
  const tn = get('roomkey.http.cat.tenants.n');
  if (t1 && tn) {
    rows.push({ figure: `HTTP CreateAccessToken over ${scaleLabel(tn)} vs 1 tenant, tokens/s (1 issuer)`, roomkey: `${int(tn.rate)} vs ${int(t1.rate)}`, baseline: '—', peer: '—', ratio: `**${times(tn.rate / t1.rate)}** (${pct(tn.rate / t1.rate - 1)})` });
  }
  const v0 = get('roomkey.http.verify.revoked.0');
  const vn = get('roomkey.http.verify.revoked.n');
  if (v0 && vn) {
    rows.push({ figure: `HTTP /v1/tokens/verify with ${scaleLabel(vn)} vs 0 revoked, verifications/s (1 issuer)`, roomkey: `${int(vn.rate)} vs ${int(v0.rate)}`, baseline: '—', peer: '—', ratio: `**${times(vn.rate / v0.rate)}** (${pct(vn.rate / v0.rate - 1)})` });
  }
  const cc = get('roomkey.http.cc.1');
  const peerCc = get('peer.http.cc.1');
  if (cc) {
    const perVcpu = 1e6 / cc.serverCpuUsPerOp;
    const peerPerVcpu = peerCc ? 1e6 / peerCc.serverCpuUsPerOp : undefined;
    rows.push({
      figure: `client_credentials tokens per server CPU-second ("per vCPU"; Keycloak plans ${ANCHORS.keycloakClientCredentialsPerVcpu})`,
      roomkey: int(perVcpu),
      baseline: int(get('baseline.http.cc.1') ? 1e6 / get('baseline.http.cc.1')!.serverCpuUsPerOp : undefined),
      peer: int(peerPerVcpu),
      ratio: `**${times(perVcpu / ANCHORS.keycloakClientCredentialsPerVcpu)} Keycloak**`,
    });
  }

  const held = checks.filter((c) => c.holds === true).length;
  const missed = checks.filter((c) => c.holds === false);
  const processes = Object.entries(run.peakRss).sort(([a], [b]) => a.localeCompare(b));
  const before = run.peakRssBeforeScale ?? {};
  const afterTenants = run.peakRssAfterTenants ?? {};
  const perTenant =
    before['issuer-1'] !== undefined && afterTenants['issuer-1'] !== undefined ? ((afterTenants['issuer-1'] - before['issuer-1']) * 1000) / options.tenants : undefined;
  const notesFile = join(repoRoot, 'bench', 'NOTES.md');
  const notes = existsSync(notesFile) ? readFileSync(notesFile, 'utf8').trim() : '';

  const cpuRows = run.figures
    .filter((f) => f.system !== 'peer' || f.key.startsWith('peer'))
    .filter((f) => Object.keys(f.cpuByProcess).length > 0)
    .map((f) => [
      `${f.system}: ${f.what} (${f.setup})`,
      int(f.rate),
      Object.entries(f.cpuByProcess)
        .map(([name, s]) => `${name} ${int((s * 1e6) / f.count)}`)
        .join(' · '),
      int(f.serverCpuUsPerOp),
      `${((f.serverCpuSeconds / f.seconds) * 100).toFixed(0)} %`,
      `${((f.loadGeneratorCpuSeconds / f.seconds) * 100).toFixed(0)} %`,
      String(f.failures),
    ]);

  return `# roomkey benchmark

<!-- Generated by \`npm run bench\` (bench/main.ts); hand-written notes come from bench/NOTES.md. -->

${mode} run, ${run.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${clock(run.seconds ?? 0)} long, on ${machine.cpus} × ${machine.cpuModel}
(${machine.memoryGB} GB, Linux ${machine.kernel}), Node ${machine.node}, nats-server ${machine.natsServer};
load average ${machine.loadAverageAtStart.join(' / ')} at the start. **The load generator (autocannon, a NATS client) runs on the same
${machine.cpus} cores as the servers**, and the machine is shared and noisy: read the ratios, not the absolute numbers.
Each figure: ${options.warmupSeconds} s warm-up, then ${options.measureSeconds} s measured, ${options.connections} HTTP connections or
${options.inFlight} NATS requests in flight. roomkey, the baseline and the peer run at once, and each comparison is measured
**in turns** (as many rounds as systems, the order rotating each round), so the machine's busy and quiet spells fall on
all of them alike. Raw numbers: \`${jsonPath}\`.

- **roomkey**: the real services from \`dist/\` as separate processes (nats-server, keys on SQLite, 1 then 2 issuers, gateway).
- **baseline**: bare Fastify → NATS request → plain NATS subscriber signing the same claims with jose ES256 (key imported
  once) → reply; no NestJS, no authentication, no caches (\`bench/baseline/\`). The architecture's ceiling on this machine.
- **peer**: node-oidc-provider ${peerVersion()} (client_credentials, JWT access tokens signed ES256 through resource indicators), one process.

## Ratios and figures

${table(['figure', 'roomkey', 'baseline', 'peer', 'ratio'], rows.map((r) => [r.figure, r.roomkey, r.baseline, r.peer, r.ratio]))}

Ratio: roomkey ÷ baseline (or ÷ peer); for latency and CPU above 1× means roomkey costs more. Server CPU is the user +
system time of every server process, nats-server included (from \`/proc/<pid>/stat\`), divided by the tokens issued in
the measured window. Published anchors: Keycloak's sizing guide plans ${ANCHORS.keycloakClientCredentialsPerVcpu} client-credential grants/s per vCPU;
Ory Hydra published ${ANCHORS.hydraClientCredentialsOn2Cpus} client-credential requests/s on 2 CPUs.

${startRows(get).length ? `## roomkey as \`npm start\` runs it

\`scripts/start.js\` on free ports, as a user runs it: its own nats-server with the generated configuration (services and
client roles with their permissions), the supervisor relaying the services' output, and identity besides keys, issuer and
gateway; the NATS load connects with the client role (\`client.json\`). Measured after the bench layout's 1-issuer figures.

${table(START_TABLE_HEADERS, startRows(get))}

` : ''}## Targets: ${held} of ${checks.length} hold

${table(['target', 'measured', 'holds'], checks.map((c) => [c.target, c.measured, c.holds === undefined ? '—' : c.holds ? 'yes' : '**no**']))}
${missed.length ? `\nMissed: ${missed.map((c) => c.target.replace(/ \(.*\)$/, '')).join('; ')}. Why: see the notes below.\n` : ''}
## Memory: peak RSS per process (VmHWM, MB)

${table(
  ['process', 'under load (1–2 issuers, 1 tenant)', `after issuing for ${int(options.tenants)} tenants`, `whole run (+ ${int(options.revocations)} revocations)`],
  processes.map(([name, peak]) => {
    const other = /^(baseline|oidc-provider)/.test(name);
    return [name, int(other ? peak : before[name]), other ? '—' : int(afterTenants[name]), other ? '—' : int(peak)];
  }),
)}
${perTenant ? `\nThe issuer keeps every tenant it has signed for in memory (API key record, tenant, imported signing key): about ${int(perTenant)} KB of RSS per tenant here (peak growth ÷ tenants, garbage included). The revoked ids themselves are small (a Map entry each); the growth during the revocations is mostly V8 letting garbage accumulate over a larger live heap.\n` : ''}
## Server CPU by process (µs per operation) and load

${table(['figure', 'per second', 'µs per op by process', 'µs per op, all', 'server CPU busy (of 1 core)', 'load generator busy', 'failed'], cpuRows)}

## Set-up times

${table(
  ['what', 'count', 'seconds', 'per second'],
  run.setup.map((s) => [s.name, int(s.count), s.seconds.toFixed(1), int(s.rate)]),
)}

${options.quick ? `A \`--quick\` run uses ${int(options.tenants)} tenants and ${int(options.revocations)} revoked tokens (the full run: 10,000 and 100,000).\n` : ''}${run.notes.length ? `\n## Warnings from this run\n\n${run.notes.map((n) => `- ${n}`).join('\n')}\n` : ''}
${notes ? `\n${notes}\n` : ''}`;
}

function peerVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(repoRoot, 'node_modules', 'oidc-provider', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '';
  }
}

/** Writes the Markdown report and the JSON; returns the paths written, relative to the repository. */
export function writeReports(run: RunInfo, get: Lookup): string[] {
  const resultsDir = join(repoRoot, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const base = run.options.quick ? join(resultsDir, 'BENCHMARKS-quick') : join(repoRoot, 'BENCHMARKS');
  const jsonPath = `${base}.json`;
  const checks = targetChecks(run, get);
  const { targets: _targets, anchors: _anchors, ...raw } = run as RunInfo & { targets?: unknown; anchors?: unknown };
  const json = `${JSON.stringify({ ...raw, targets: checks, anchors: ANCHORS }, null, 2)}\n`;
  writeFileSync(jsonPath, json);
  writeFileSync(join(resultsDir, 'latest.json'), json);
  writeFileSync(`${base}.md`, markdown(run, get, checks, relative(repoRoot, jsonPath)));
  return [`${base}.md`, jsonPath, join(resultsDir, 'latest.json')].map((p) => relative(repoRoot, p));
}

/** roomkey through `npm start` beside the bench's own layout, per issuance path (rows for both reports). */
export function startRows(get: Lookup): string[][] {
  const rows: string[][] = [];
  for (const [path, label] of [
    ['http.cc', 'HTTP client_credentials'],
    ['http.cat', 'HTTP CreateAccessToken'],
    ['nats.create', 'NATS tokens.create'],
  ]) {
    const r = get(`roomkey.${path}.1`);
    const s = get(`start.${path}.1`);
    if (!r || !s) continue;
    const byProcess = (f: Figure) =>
      Object.entries(f.cpuByProcess)
        .filter(([, cpu]) => (cpu * 1e6) / f.count >= 0.5)
        .map(([name, cpu]) => `${name} ${int((cpu * 1e6) / f.count)}`)
        .join(' · ');
    rows.push([
      label,
      `${int(r.rate)} · ${int(r.serverCpuUsPerOp)} µs · p99 ${ms(r.p99Ms)} ms`,
      `${int(s.rate)} · ${int(s.serverCpuUsPerOp)} µs · p99 ${ms(s.p99Ms)} ms`,
      `**${times(ratio(s.rate, r.rate))}** tokens/s · ${times(ratio(s.serverCpuUsPerOp, r.serverCpuUsPerOp))} CPU`,
      `${byProcess(r)} / ${byProcess(s)}`,
    ]);
  }
  return rows;
}

export const START_TABLE_HEADERS = ['path (1 issuer)', 'bench layout: tokens/s · CPU/token · p99', 'npm start: tokens/s · CPU/token · p99', 'npm start ÷ bench layout', 'µs per token by process (bench / npm start)'];

/** `--via-start`: bench/results/via-start.md and .json. */
export function writeViaStartReport(run: RunInfo, get: Lookup): string[] {
  const resultsDir = join(repoRoot, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const base = join(resultsDir, 'via-start');
  writeFileSync(`${base}.json`, `${JSON.stringify(run, null, 2)}\n`);
  const { machine, options } = run;
  const text = `# roomkey: the bench's layout vs \`npm start\`

${run.startedAt.slice(0, 16).replace('T', ' ')} UTC on ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}; both systems running, measured in
turns (A B then B A, ${Math.max(1, Math.round(options.measureSeconds / 2))} s each), ${options.connections} HTTP connections or ${options.inFlight} NATS requests in flight.

${table(START_TABLE_HEADERS, startRows(get))}
`;
  writeFileSync(`${base}.md`, text);
  return [`${base}.md`, `${base}.json`].map((p) => relative(repoRoot, p));
}

const AB_PATHS = [
  ['http.cc', 'HTTP client_credentials'],
  ['http.cat', 'HTTP CreateAccessToken'],
  ['nats.create', 'NATS tokens.create'],
] as const;

/** `--ab-dist`: two builds of roomkey, both running, measured in turns: tokens/s and CPU per token, after ÷ before. */
export function writeAbReport(run: RunInfo, get: Lookup): string[] {
  const resultsDir = join(repoRoot, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const base = join(resultsDir, 'ab');
  writeFileSync(`${base}.json`, `${JSON.stringify(run, null, 2)}\n`);
  const { machine, options } = run;
  const perProcess = (f: Figure) =>
    Object.entries(f.cpuByProcess)
      .map(([name, seconds]) => `${name.replace(/^(before|after)\//, '')} ${Math.round((seconds * 1e6) / Math.max(1, f.count))}`)
      .join(' · ');
  const rows = AB_PATHS.flatMap(([key, what]) => {
    const [a, b] = [get(`ab.before.${key}`), get(`ab.after.${key}`)];
    if (!a || !b) return [];
    return [[what, `${Math.round(a.rate)} → ${Math.round(b.rate)}`, `**${(b.rate / a.rate).toFixed(2)}×**`, `${Math.round(a.serverCpuUsPerOp)} → ${Math.round(b.serverCpuUsPerOp)}`, `**${(b.serverCpuUsPerOp / a.serverCpuUsPerOp).toFixed(2)}×**`, `p99 ${a.p99Ms.toFixed(0)} → ${b.p99Ms.toFixed(0)} ms`, `${perProcess(a)} / ${perProcess(b)}`]];
  });
  const text = `# roomkey: two builds side by side (\`--ab-dist\`)

${run.startedAt.slice(0, 16).replace('T', ' ')} UTC on ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}; before = ${options.abDist}, after = dist/;
both running (1 issuer each), measured in turns (A B then B A, ${Math.max(1, Math.round(options.measureSeconds / 2))} s each), ${options.connections} HTTP connections or ${options.inFlight} NATS requests in flight.

${table(['path (1 issuer)', 'tokens/s before → after', 'after ÷ before', 'server CPU µs/token before → after', 'after ÷ before', 'latency', 'µs per token by process (before / after)'], rows)}
`;
  writeFileSync(`${base}.md`, text);
  return [`${base}.md`, `${base}.json`].map((p) => relative(repoRoot, p));
}
