/**
 * roomkey services as separate processes (the built `dist/apps/<service>/main.js`, as `npm start`
 * runs them), configured like an in-process test system, so fault tests can SIGKILL or SIGSTOP one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { CommonConfig, IssuerConfig, KeysConfig } from '@roomkey/config';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureBuilt } = require('../../scripts/dependencies') as { ensureBuilt(): void };
const root = resolve(__dirname, '..', '..');

export interface ServiceProcess {
  child: ChildProcess;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

function commonEnv(config: CommonConfig & { masterKey?: Buffer }): Record<string, string> {
  const env: Record<string, string> = {
    NATS_URL: config.natsUrl,
    ROOMKEY_NAMESPACE: config.namespace,
    ROOMKEY_DATA_DIR: config.dataDir,
    ROOMKEY_NATS_TIMEOUT_MS: String(config.natsRequestTimeoutMs),
    ROOMKEY_JETSTREAM_REPLICAS: String(config.jetStreamReplicas ?? 1),
    LOG_LEVEL: 'error',
  };
  if (config.natsAuth.user) Object.assign(env, { NATS_USER: config.natsAuth.user, NATS_PASSWORD: config.natsAuth.pass });
  if (config.masterKey) env.ROOMKEY_MASTER_KEY = config.masterKey.toString('base64');
  if (config.otlpEndpoint) env.OTEL_EXPORTER_OTLP_ENDPOINT = config.otlpEndpoint;
  return env;
}

export function keysEnv(config: KeysConfig): Record<string, string> {
  return {
    ...commonEnv(config),
    ...(config.databaseUrl ? { DATABASE_URL: config.databaseUrl } : {}),
    ROOMKEY_SIGNING_KEY_ROTATION_SECONDS: String(config.rotationIntervalSeconds),
    ROOMKEY_KEY_SWEEP_SECONDS: String(config.sweepIntervalSeconds),
  };
}

export function issuerEnv(config: IssuerConfig): Record<string, string> {
  return {
    ...commonEnv(config),
    PUBLIC_URL: config.publicUrl,
    ROOMKEY_AUTH_FAILURES_PER_CLIENT: String(config.authFailuresPerIdentifier),
    ROOMKEY_AUTH_FAILURES_PER_ADDRESS: String(config.authFailuresPerAddress),
  };
}

/** Starts `dist/apps/<service>/main.js` and resolves once it says it is ready. */
export async function startServiceProcess(service: 'keys' | 'issuer' | 'identity', env: Record<string, string>, timeoutMs = 30_000): Promise<ServiceProcess> {
  ensureBuilt();
  const child = spawn(process.execPath, [resolve(root, 'dist', 'apps', service, 'main.js')], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  const deadline = Date.now() + timeoutMs;
  while (!output.includes(`roomkey ${service} ready`)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${service} did not start: ${output.trim() || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    output: () => output,
    kill: (signal = 'SIGTERM') =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill(signal);
      }),
  };
}
