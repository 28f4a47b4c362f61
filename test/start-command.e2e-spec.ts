/**
 * `npm start` as a new user runs it: the built system, a NATS it starts itself when none answers,
 * ready on /readyz, a token minted through it, and a clean stop on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, isReachable } from '../scripts/nats-server';
import { http } from './support/harness';

const root = resolve(__dirname, '..');

function startCommand(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, [join(root, 'scripts', 'start.js')], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { child, output: () => output };
}

/** The PID of one of `npm start`'s services, found among its children by their script. */
function servicePidOrNull(parentPid: number, service: string): number | null {
  const children = readFileSync(`/proc/${parentPid}/task/${parentPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  for (const pid of children) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`apps/${service}/main.js`)) return pid;
    } catch {
      // exited meanwhile
    }
  }
  return null;
}

function servicePid(parentPid: number, service: string): number {
  const pid = servicePidOrNull(parentPid, service);
  if (pid === null) throw new Error(`no ${service} process under ${parentPid}`);
  return pid;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the start command', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'roomkey-start-'));
  });

  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts NATS and every service, prints how to try it, mints a token, and stops cleanly', async () => {
    const port = await freePort();
    const natsPort = await freePort();
    const run = startCommand({ PORT: String(port), NATS_URL: `nats://127.0.0.1:${natsPort}`, ROOMKEY_DATA_DIR: dataDir });
    try {
      await waitFor(() => run.output().includes('roomkey is ready') || run.child.exitCode !== null, 60_000);
      expect(run.output()).toContain('roomkey is ready');
      expect(run.output()).toContain('started nats-server');
      expect(run.output()).toContain('/v1/access-tokens');
      expect(await isReachable('127.0.0.1', natsPort)).toBe(true);

      const system = { baseUrl: `http://127.0.0.1:${port}` };
      const adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
      expect(run.output()).toContain(adminToken); // printed once, at generation
      const tenant = await http(system, 'POST', '/admin/tenants', { bearer: adminToken, body: { shortcode: 'demo', name: 'Demo' } });
      expect(tenant.status).toBe(201);
      const key = await http(system, 'POST', '/admin/tenants/demo/api-keys', { bearer: adminToken, body: { environment: 'production' } });
      const minted = await http(system, 'POST', '/v1/access-tokens', { basic: key.body, body: { userId: 'alice', role: 'HOST', rooms: ['town-hall'] } });
      expect(minted.status).toBe(201);
      expect(run.output()).not.toContain(key.body.secret);
      expect(run.output()).not.toContain(minted.body.accessToken);

      run.child.kill('SIGTERM');
      expect(await exited(run.child)).toBe(0);
      expect(await isReachable('127.0.0.1', natsPort)).toBe(false);
      expect(await isReachable('127.0.0.1', port)).toBe(false);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('restarts a service that dies while the others keep serving', async () => {
    const port = await freePort();
    const natsPort = await freePort();
    const run = startCommand({ PORT: String(port), NATS_URL: `nats://127.0.0.1:${natsPort}`, ROOMKEY_DATA_DIR: dataDir });
    try {
      await waitFor(() => run.output().includes('roomkey is ready') || run.child.exitCode !== null, 60_000);
      const system = { baseUrl: `http://127.0.0.1:${port}` };
      const adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
      await http(system, 'POST', '/admin/tenants', { bearer: adminToken, body: { shortcode: 'demo', name: 'Demo' } });
      const key = await http(system, 'POST', '/admin/tenants/demo/api-keys', { bearer: adminToken, body: { environment: 'production' } });
      const mint = () => http(system, 'POST', '/v1/access-tokens', { basic: key.body, body: { userId: 'alice', role: 'HOST' } });
      expect((await mint()).status).toBe(201);

      const keysPid = servicePid(run.child.pid!, 'keys');
      process.kill(keysPid, 'SIGKILL');
      // The HTTP API stays up and keeps issuing from the issuer's caches while keys is down.
      expect((await mint()).status).toBe(201);
      await waitFor(() => run.output().includes('the keys service stopped (SIGKILL); restarting it'), 5_000);
      // Keys comes back on its own: admin requests work again.
      await waitFor(() => servicePidOrNull(run.child.pid!, 'keys') !== null, 10_000);
      const deadline = Date.now() + 20_000;
      let answer = await http(system, 'GET', '/admin/tenants/demo', { bearer: adminToken });
      while (answer.status !== 200 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        answer = await http(system, 'GET', '/admin/tenants/demo', { bearer: adminToken });
      }
      expect(answer.status).toBe(200);
      expect(run.child.exitCode).toBeNull();
      run.child.kill('SIGTERM');
      expect(await exited(run.child)).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('fails fast with a sentence naming a bad variable', async () => {
    const natsPort = await freePort();
    const run = startCommand({ PORT: '8080', LOG_LEVEL: 'loud', NATS_URL: `nats://127.0.0.1:${natsPort}`, ROOMKEY_DATA_DIR: dataDir });
    expect(await exited(run.child)).toBe(1);
    expect(run.output()).toContain('LOG_LEVEL must be one of');
    expect(await isReachable('127.0.0.1', natsPort)).toBe(false);
  });
});
