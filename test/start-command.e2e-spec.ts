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

  it('fails fast with a sentence naming a bad variable', async () => {
    const natsPort = await freePort();
    const run = startCommand({ PORT: '8080', LOG_LEVEL: 'loud', NATS_URL: `nats://127.0.0.1:${natsPort}`, ROOMKEY_DATA_DIR: dataDir });
    expect(await exited(run.child)).toBe(1);
    expect(run.output()).toContain('LOG_LEVEL must be one of');
    expect(await isReachable('127.0.0.1', natsPort)).toBe(false);
  });
});
