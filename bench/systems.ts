/**
 * The three systems the benchmark loads, each as separate processes on this machine:
 * roomkey (nats-server, keys, 1–2 issuers, gateway from dist/, as `npm start` runs them), the bare
 * baseline (nats-server, Fastify process, 1–2 signer processes) and the peer (oidc-provider).
 */
import { connect, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import { OAuthRoutes, PingRoutes, PublicRoutes } from '@roomkey/contracts';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuSeconds, mapLimit, natsServerScript, servicesScript, repoRoot, startNodeProcess, startPrivateNats, waitFor, type ServerProcess } from './support/processes';

const READY_TIMEOUT_MS = 60_000;

export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** A P-256 private JWK with a kid, for the baseline and the peer (roomkey makes its own keys). */
export function generateEs256Jwk(kid: string): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), kid };
}

const encoder = new TextEncoder();

async function httpOk(url: string): Promise<true | undefined> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return response.ok ? true : undefined;
}

/** Everything a system needs to be started and measured. */
abstract class System {
  protected readonly processes: ServerProcess[] = [];
  /** Peak RSS (MB) of every process that ran, recorded when it stopped or on request. */
  readonly peakRss: Record<string, number> = {};

  constructor(
    protected readonly dir: string,
    protected readonly profileDir?: string,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  running(): ServerProcess[] {
    return this.processes.filter((p) => !p.exited());
  }

  /** Throws with the process's last output when one of the processes has died. */
  checkAlive(): void {
    const dead = this.processes.find((p) => p.exited());
    if (dead) throw new Error(`${dead.name} stopped unexpectedly:\n${dead.logTail()}`);
  }

  recordPeakRss(readPeak: (pid: number) => number): void {
    for (const p of this.running()) {
      const peak = readPeak(p.pid);
      if (Number.isFinite(peak)) this.peakRss[p.name] = Math.max(this.peakRss[p.name] ?? 0, peak);
    }
  }

  protected async stopProcess(process: ServerProcess, readPeak: (pid: number) => number): Promise<void> {
    const peak = readPeak(process.pid);
    if (Number.isFinite(peak)) this.peakRss[process.name] = Math.max(this.peakRss[process.name] ?? 0, peak);
    await process.stop();
    this.processes.splice(this.processes.indexOf(process), 1);
  }

  protected nodeArgs(): string[] {
    return this.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${this.profileDir}`] : [];
  }

  async stop(readPeak: (pid: number) => number): Promise<void> {
    this.recordPeakRss(readPeak);
    for (const p of [...this.processes].reverse()) await p.stop().catch(() => undefined);
    this.processes.length = 0;
  }
}

/** A roomkey system with its admin API over HTTP. */
abstract class AdminSystem extends System {
  abstract url: string;
  abstract adminToken: string;

  async admin<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    return adminRequest<T>(this.url, this.adminToken, method, path, body);
  }

  async createTenant(shortcode: string): Promise<void> {
    await this.admin('POST', '/admin/tenants', { shortcode, name: `Benchmark ${shortcode}` });
  }

  async createApiKey(tenant: string): Promise<{ apiKey: string; secret: string }> {
    const { apiKey, secret } = await this.admin<{ apiKey: string; secret: string }>('POST', `/admin/tenants/${tenant}/api-keys`, { environment: 'production', name: 'bench' });
    return { apiKey, secret };
  }

  async createClient(tenant: string): Promise<{ clientId: string; clientSecret: string }> {
    const { clientId, clientSecret } = await this.admin<{ clientId: string; clientSecret: string }>('POST', `/admin/tenants/${tenant}/clients`, {
      name: 'bench',
      grantTypes: ['client_credentials'],
      scopes: ['rooms:read'],
      audiences: ['roomkey'],
    });
    return { clientId, clientSecret };
  }

}

export class RoomkeySystem extends AdminSystem {
  url = '';
  natsUrl = '';
  adminToken = `rk_admin_${randomBytes(24).toString('base64url')}`;
  connection!: NatsConnection;
  private env: NodeJS.ProcessEnv = {};
  private issuerCount = 0;
  /** Where the services' builds are (`--ab-dist`: another build beside this one) and how their processes are named. */
  private build: { distRoot: string; label?: string } = { distRoot: join(repoRoot, 'dist') };

  static async start(dir: string, profileDir?: string, build?: { distRoot: string; label?: string }): Promise<RoomkeySystem> {
    const system = new RoomkeySystem(dir, profileDir);
    if (build) system.build = build;
    await system.boot().catch(async (error: unknown) => {
      await system.stop(() => Number.NaN);
      throw error;
    });
    return system;
  }

  private async boot(): Promise<void> {
    const nats = await startPrivateNats('roomkey', join(this.dir, 'nats'));
    this.processes.push(nats);
    this.natsUrl = nats.url;
    const port = await natsServerScript.freePort();
    this.url = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      // As users run it (contract §6 default); ROOMKEY_BENCH_LOG_LEVEL=warn measures the logs' cost.
      LOG_LEVEL: process.env.ROOMKEY_BENCH_LOG_LEVEL || 'info',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: this.url,
      NATS_URL: nats.url,
      ROOMKEY_DATA_DIR: join(this.dir, 'data'),
      ROOMKEY_ADMIN_TOKEN: this.adminToken,
      ROOMKEY_MASTER_KEY: randomBytes(32).toString('base64'),
      // A private broker on loopback for this run only, without users.
      ROOMKEY_ALLOW_OPEN_NATS: '1',
    };
    // The embedded SQLite database, whatever the caller's environment says.
    delete env.DATABASE_URL;
    this.env = env;
    this.connection = await connect({ servers: nats.url, name: 'roomkey-bench', noAsyncTraces: true });

    this.processes.push(this.service('keys', 'keys'));
    await this.waitForPing('keys');
    await this.addIssuer();
    const gateway = this.service('gateway', 'gateway');
    this.processes.push(gateway);
    await waitFor('the gateway', async () => (this.checkAlive(), httpOk(`${this.url}/healthz`)), READY_TIMEOUT_MS);
  }

  private service(name: string, app: string): ServerProcess {
    return startNodeProcess({
      name: this.build.label === undefined ? name : `${this.build.label}/${name}`,
      group: 'roomkey',
      script: join(this.build.distRoot, 'apps', app, 'main.js'),
      env: this.env,
      logFile: join(this.dir, `${name}.log`),
      nodeArgs: [...servicesScript.serviceNodeArgs(app), ...this.nodeArgs()],
    });
  }

  private async waitForPing(service: 'keys' | 'issuer'): Promise<void> {
    await waitFor(
      `the ${service} service`,
      async () => {
        this.checkAlive();
        await this.connection.request(PingRoutes[service].subject, '{}', { timeout: 500 });
        return true;
      },
      READY_TIMEOUT_MS,
    );
  }

  /** Starts one more issuer replica and waits until it answers in the queue group. */
  async addIssuer(): Promise<void> {
    this.issuerCount++;
    this.processes.push(this.service(`issuer-${this.issuerCount}`, 'issuer'));
    const wanted = this.issuerCount;
    await waitFor(
      `issuer ${wanted}`,
      async () => {
        this.checkAlive();
        const seen = new Set<string>();
        for (let i = 0; i < 8 * wanted; i++) {
          const reply = await this.connection.request(PingRoutes.issuer.subject, '{}', { timeout: 500 });
          seen.add(reply.json<{ instance: string }>().instance);
        }
        return seen.size >= wanted ? true : undefined;
      },
      READY_TIMEOUT_MS,
      200,
    );
  }

  async stopLastIssuer(readPeak: (pid: number) => number): Promise<void> {
    const issuer = this.processes.find((p) => p.name === `issuer-${this.issuerCount}`);
    if (!issuer) return;
    await this.stopProcess(issuer, readPeak);
    this.issuerCount--;
  }

  /** `count` tokens over NATS (roomkey.v1.tokens.create), for the verification figures. */
  async issueTokens(credentials: { apiKey: string; secret: string }, count: number): Promise<string[]> {
    const indexes = Array.from({ length: count }, (_, i) => i);
    return mapLimit(indexes, 32, async (i) => {
      const body = { ...credentials, userId: `viewer-${i}`, role: 'VIEWER', rooms: ['town-hall'] };
      const reply = await this.connection.request(PublicRoutes.createAccessToken.subject, encoder.encode(JSON.stringify(body)), { timeout: 10_000 });
      const answer = reply.json<{ ok: boolean; accessToken?: string; message?: string }>();
      if (!answer.ok || !answer.accessToken) throw new Error(`roomkey.v1.tokens.create failed: ${answer.message}`);
      return answer.accessToken;
    });
  }

  /** Revokes one token id over NATS (what /v1/tokens/revoke forwards to the issuer). */
  async revokeJti(credentials: { apiKey: string; secret: string }, jti: string): Promise<void> {
    const body = encoder.encode(JSON.stringify({ ...credentials, jti }));
    const reply = await this.connection.request(OAuthRoutes.revokeWithApiKey.subject, body, { timeout: 10_000 });
    const answer = reply.json<{ ok: boolean; message?: string }>();
    if (!answer.ok) throw new Error(`revocation failed: ${answer.message}`);
  }

  override async stop(readPeak: (pid: number) => number): Promise<void> {
    await this.connection?.close().catch(() => undefined);
    await super.stop(readPeak);
  }
}

export const BASELINE_TENANT = 'bench';

export class BaselineSystem extends System {
  url = '';
  connection!: NatsConnection;
  readonly issuer = 'http://127.0.0.1/realms/bench';
  private env: NodeJS.ProcessEnv = {};
  private signers = 0;

  static async start(dir: string, profileDir?: string): Promise<BaselineSystem> {
    const system = new BaselineSystem(dir, profileDir);
    const nats = await startPrivateNats('baseline', join(dir, 'nats'), 'baseline-nats-server');
    system.processes.push(nats);
    system.connection = await connect({ servers: nats.url, name: 'baseline-bench', noAsyncTraces: true });
    const port = await natsServerScript.freePort();
    system.url = `http://127.0.0.1:${port}`;
    system.env = {
      ...process.env,
      NODE_ENV: 'production',
      BENCH_NATS_URL: nats.url,
      BENCH_PORT: String(port),
      BENCH_ISSUER: system.issuer,
      BENCH_TENANT: BASELINE_TENANT,
      BENCH_PRIVATE_JWK: JSON.stringify(generateEs256Jwk('baseline-es256')),
    };
    await system.addSigner();
    system.processes.push(system.node('baseline-http', 'http'));
    await waitFor('the baseline HTTP server', async () => {
      system.checkAlive();
      const response = await fetch(`${system.url}/v1/tokens/verify`, { method: 'POST' }).catch(() => undefined);
      return response ? true : undefined;
    }, READY_TIMEOUT_MS);
    return system;
  }

  private node(name: string, file: string): ServerProcess {
    return startNodeProcess({
      name,
      group: 'baseline',
      script: join(repoRoot, 'dist', 'bench', 'baseline', `${file}.js`),
      env: this.env,
      logFile: join(this.dir, `${name}.log`),
      nodeArgs: this.nodeArgs(),
    });
  }

  async addSigner(): Promise<void> {
    this.signers++;
    const signer = this.node(`baseline-signer-${this.signers}`, 'signer');
    this.processes.push(signer);
    await waitFor(`baseline signer ${this.signers}`, async () => {
      this.checkAlive();
      return signer.logTail().includes('baseline signer ready') ? true : undefined;
    }, READY_TIMEOUT_MS, 50);
  }

  async issueTokens(count: number): Promise<string[]> {
    const indexes = Array.from({ length: count }, (_, i) => i);
    return mapLimit(indexes, 32, async (i) => {
      const body = { apiKey: 'rk_prod_baseline', secret: 'unused', userId: `viewer-${i}`, role: 'VIEWER', rooms: ['town-hall'] };
      const reply = await this.connection.request('bench.baseline.tokens.create', encoder.encode(JSON.stringify(body)), { timeout: 10_000 });
      return reply.json<{ accessToken: string }>().accessToken;
    });
  }

  override async stop(readPeak: (pid: number) => number): Promise<void> {
    await this.connection?.close().catch(() => undefined);
    await super.stop(readPeak);
  }
}

export class PeerSystem extends System {
  url = '';
  readonly clientId = 'bench-client';
  readonly clientSecret = randomBytes(32).toString('base64url');

  static async start(dir: string, profileDir?: string): Promise<PeerSystem> {
    const system = new PeerSystem(dir, profileDir);
    const port = await natsServerScript.freePort();
    system.url = `http://127.0.0.1:${port}`;
    const peer = startNodeProcess({
      name: 'oidc-provider',
      group: 'peer',
      script: join(repoRoot, 'dist', 'bench', 'peer', 'oidc-provider.js'),
      env: {
        ...process.env,
        NODE_ENV: 'production',
        BENCH_PORT: String(port),
        BENCH_CLIENT_ID: system.clientId,
        BENCH_CLIENT_SECRET: system.clientSecret,
        BENCH_PRIVATE_JWK: JSON.stringify(generateEs256Jwk('peer-es256')),
      },
      logFile: join(dir, 'oidc-provider.log'),
      nodeArgs: system.nodeArgs(),
    });
    system.processes.push(peer);
    await waitFor('the peer', async () => {
      system.checkAlive();
      return httpOk(`${system.url}/.well-known/openid-configuration`);
    }, READY_TIMEOUT_MS);
    return system;
  }
}

/** The PIDs of `pid`'s child processes (from /proc), with their command lines. */
function childProcesses(pid: number): Array<{ pid: number; command: string }> {
  const found: Array<{ pid: number; command: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== pid) continue;
      found.push({ pid: Number(entry), command: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ') });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** A process the bench did not start itself (a child of `npm start`): measured by PID, stopped by its parent. */
function childProcess(name: string, pid: number): ServerProcess {
  return {
    name,
    group: 'roomkey',
    pid,
    exited: () => Number.isNaN(cpuSeconds(pid)),
    logTail: () => '',
    stop: async () => undefined,
  };
}

/**
 * roomkey exactly as `npm start` runs it (scripts/start.js): its own nats-server with the
 * generated configuration and the services and client roles, keys, issuer, identity and gateway
 * under the supervisor, whose process relays their output. Free ports, a fresh data directory;
 * the NATS load uses the client role's credentials (client.json), as an internal service would.
 * The supervisor process is measured too ("npm-start"), as it is part of what users run.
 */
export class StartCommandSystem extends AdminSystem {
  url = '';
  adminToken = `rk_admin_${randomBytes(24).toString('base64url')}`;
  connection!: NatsConnection;
  private start!: ServerProcess;

  static async start(dir: string, profileDir?: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<StartCommandSystem> {
    const system = new StartCommandSystem(dir, profileDir);
    await system.boot(extraEnv).catch(async (error: unknown) => {
      await system.stop(() => Number.NaN);
      throw error;
    });
    return system;
  }

  private async boot(extraEnv: NodeJS.ProcessEnv): Promise<void> {
    const port = await natsServerScript.freePort();
    const natsPort = await natsServerScript.freePort();
    this.url = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = { ...process.env };
    // What a user's shell would not have set: no NATS of theirs, the embedded database.
    for (const name of ['NATS_USER', 'NATS_PASSWORD', 'NATS_CREDS', 'NATS_TOKEN', 'DATABASE_URL', 'NODE_ENV', 'LOG_LEVEL', 'ROOMKEY_NAMESPACE']) delete env[name];
    Object.assign(env, {
      PORT: String(port),
      NATS_URL: `nats://127.0.0.1:${natsPort}`,
      ROOMKEY_DATA_DIR: join(this.dir, 'data'),
      ROOMKEY_ADMIN_TOKEN: this.adminToken,
      ...extraEnv,
    });
    // --cpu-prof is refused in NODE_OPTIONS: scripts/services.js passes ROOMKEY_SERVICE_NODE_ARGS on.
    if (this.profileDir) env.ROOMKEY_SERVICE_NODE_ARGS = `${env.ROOMKEY_SERVICE_NODE_ARGS ?? ''} --cpu-prof --cpu-prof-dir=${this.profileDir}`.trim();
    this.start = startNodeProcess({ name: 'npm-start', group: 'roomkey', script: join(repoRoot, 'scripts', 'start.js'), env, logFile: join(this.dir, 'npm-start.log') });
    this.processes.push(this.start);
    await waitFor('npm start', async () => (this.checkAlive(), this.start.logTail().includes('roomkey is ready') ? true : undefined), READY_TIMEOUT_MS, 200);
    for (const child of childProcesses(this.start.pid)) {
      const app = /dist\/apps\/(\w+)\/main\.js/.exec(child.command)?.[1];
      const name = app ?? (/nats-server/.test(child.command) ? 'nats-server' : undefined);
      if (name) this.processes.splice(this.processes.length - 1, 0, childProcess(name, child.pid));
    }
    const clientFile = join(this.dir, 'data', 'nats', 'client.json');
    if (!existsSync(clientFile)) {
      // npm start joined a NATS that was already running (extraEnv.NATS_URL): measured as it is, open.
      this.connection = await connect({ servers: env.NATS_URL, name: 'roomkey-bench-client', noAsyncTraces: true });
      return;
    }
    const client = JSON.parse(readFileSync(clientFile, 'utf8')) as ConnectionOptions;
    this.connection = await connect({ ...client, name: 'roomkey-bench-client-role', noAsyncTraces: true });
  }

  override async stop(readPeak: (pid: number) => number): Promise<void> {
    this.recordPeakRss(readPeak);
    await this.connection?.close().catch(() => undefined);
    // npm start stops its services and its nats-server itself on SIGTERM.
    await this.start?.stop();
    this.processes.length = 0;
  }
}

async function adminRequest<T>(url: string, adminToken: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}
