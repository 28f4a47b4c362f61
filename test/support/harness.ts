/**
 * Runs the real roomkey services in the test process against a private nats-server (started on a
 * free port, stopped by its PID) and a real database: an embedded SQLite file or a fresh
 * PostgreSQL database created for the suite and dropped afterwards.
 */
import type { INestMicroservice } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { readIdentityConfig, type LogLevel, type NatsAuth, type GatewayConfig, type IdentityConfig, type IssuerConfig, type KeysConfig } from '@roomkey/config';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startGateway } from '../../apps/gateway/gateway.app';
import { startIdentityService } from '../../apps/identity/identity.app';
import { startIssuerService } from '../../apps/issuer/issuer.app';
import { startKeysService } from '../../apps/keys/keys.app';
import { freePort, startNatsServer, type RunningNatsServer } from '../../scripts/nats-server';
import { shutdownTracing } from '@roomkey/nats';
import { configureLogger } from '@roomkey/errors';
import { issuerEnv, keysEnv, startServiceProcess, type ServiceProcess } from './service-processes';

export type DatabaseKind = 'sqlite' | 'postgres';

/** Which databases the integration suites run against: ROOMKEY_TEST_DATABASES=sqlite,postgres (default both). */
export function testDatabases(): DatabaseKind[] {
  const raw = process.env.ROOMKEY_TEST_DATABASES || 'sqlite,postgres';
  return raw.split(',').map((d) => d.trim()) as DatabaseKind[];
}

const POSTGRES_ADMIN_URL = process.env.ROOMKEY_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';

export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `roomkey_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export interface SystemOptions {
  database: DatabaseKind;
  issuers?: number;
  /** Identity replicas (default 1) and identity settings over the defaults (rate limits). */
  identities?: number;
  identity?: Partial<IdentityConfig>;
  natsRequestTimeoutMs?: number;
  /** Deployment namespace (default roomkey) and how the services authenticate to NATS. */
  namespace?: string;
  natsAuth?: NatsAuth;
  /** Join this NATS instead of starting a private one (two deployments on one NATS). */
  natsUrl?: string;
  /** The private nats-server's config file (roles and permissions); only without `natsUrl`. */
  natsConfigFile?: (port: number, dataDir: string) => string;
  authFailuresPerIdentifier?: number;
  authFailuresPerAddress?: number;
  /** Copies of every stream and bucket (3 on a NATS cluster). */
  jetStreamReplicas?: number;
  /** Run keys, and this many issuers, as separate processes from dist/ (fault tests kill them). */
  keysAsProcess?: boolean;
  issuerProcesses?: number;
  /** Level of the in-process services' logs (default error) and where their JSON lines go (default stdout). */
  logLevel?: LogLevel;
  logDestination?: { write(line: string): void };
  /** OTEL_EXPORTER_OTLP_ENDPOINT of every in-process service (traces); default unset: no tracing. */
  otlpEndpoint?: string;
  /** Settings of the keys service and the gateway over the harness's (webhook back-off, event stream limits). */
  keys?: Partial<KeysConfig>;
  gateway?: Partial<GatewayConfig>;
}

export interface RoomkeySystem {
  baseUrl: string;
  natsUrl: string;
  /** The private nats-server (undefined when the system joined another's); tests may restart it. */
  nats: RunningNatsServer | undefined;
  adminToken: string;
  dataDir: string;
  /** null when keys runs as a process (`processes.keys`). */
  keys: INestMicroservice | null;
  issuers: INestMicroservice[];
  processes: { keys: ServiceProcess | null; issuers: ServiceProcess[] };
  /** The first identity replica; `identities` holds them all. */
  identity: INestMicroservice;
  identities: INestMicroservice[];
  gateway: NestFastifyApplication;
  /** What each service was started with (to start another replica or deployment beside them). */
  configs: { keys: KeysConfig; issuer: IssuerConfig; identity: IdentityConfig; gateway: GatewayConfig };
  stop(): Promise<void>;
}

export async function startSystem(options: SystemOptions): Promise<RoomkeySystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'roomkey-test-'));
  if (options.logDestination) configureLogger({ destination: options.logDestination });
  const natsPort = await freePort();
  const nats: RunningNatsServer | undefined = options.natsUrl
    ? undefined
    : await startNatsServer({ port: natsPort, storeDir: join(dataDir, 'nats'), configFile: options.natsConfigFile?.(natsPort, dataDir) });
  const natsUrl = options.natsUrl ?? nats!.url;
  const postgres = options.database === 'postgres' ? await createPostgresDatabase() : undefined;
  const masterKey = randomBytes(32);
  const common = {
    natsUrl,
    namespace: options.namespace ?? 'roomkey',
    natsAuth: options.natsAuth ?? {},
    allowOpenNats: false,
    jetStreamReplicas: options.jetStreamReplicas ?? 1,
    dataDir,
    production: false,
    natsRequestTimeoutMs: options.natsRequestTimeoutMs ?? 2000,
    logLevel: options.logLevel ?? ('error' as const),
    logFormat: 'json' as const,
    ...(options.otlpEndpoint === undefined ? {} : { otlpEndpoint: options.otlpEndpoint }),
  };
  const publicUrlPort = await freePort();
  const publicUrl = `http://127.0.0.1:${publicUrlPort}`;
  const keysConfig: KeysConfig = { ...common, databaseUrl: postgres?.url, masterKey, rotationIntervalSeconds: 0, sweepIntervalSeconds: 3600, clientSecretGraceSeconds: 3600, ...options.keys };
  const issuerConfig: IssuerConfig = {
    ...common,
    publicUrl,
    masterKey,
    authFailuresPerIdentifier: options.authFailuresPerIdentifier ?? 10,
    authFailuresPerAddress: options.authFailuresPerAddress ?? 100,
    authFailureWindowSeconds: 60,
    loginRequestTtlSeconds: 600,
    refreshTokenTtlSeconds: 30 * 86400,
  };
  const adminToken = `rk_admin_${randomBytes(24).toString('base64url')}`;
  const gatewayConfig: GatewayConfig = { ...common, port: publicUrlPort, host: '127.0.0.1', publicUrl, adminToken, trustProxy: false, ...options.gateway };

  const keys = options.keysAsProcess ? null : await startKeysService(keysConfig);
  const processes = {
    keys: options.keysAsProcess ? await startServiceProcess('keys', keysEnv(keysConfig)) : null,
    issuers: [] as ServiceProcess[],
  };
  for (let i = 0; i < (options.issuerProcesses ?? 0); i++) processes.issuers.push(await startServiceProcess('issuer', issuerEnv(issuerConfig)));
  const issuers: INestMicroservice[] = [];
  for (let i = 0; i < (options.issuers ?? 1); i++) issuers.push(await startIssuerService(issuerConfig));
  const identityConfig: IdentityConfig = { ...readIdentityConfig({}), ...common, ...options.identity };
  const identities: INestMicroservice[] = [];
  for (let i = 0; i < (options.identities ?? 1); i++) identities.push(await startIdentityService(identityConfig));
  const identity = identities[0];
  const gateway = await startGateway(gatewayConfig);

  const system: RoomkeySystem = {
    baseUrl: publicUrl,
    natsUrl,
    nats,
    adminToken,
    dataDir,
    keys,
    issuers,
    processes,
    identity,
    identities,
    gateway,
    configs: { keys: keysConfig, issuer: issuerConfig, identity: identityConfig, gateway: gatewayConfig },
    async stop() {
      await gateway.close().catch(() => undefined);
      for (const app of [...issuers, ...identities]) await app.close().catch(() => undefined);
      for (const child of processes.issuers) await child.kill('SIGKILL');
      await keys?.close().catch(() => undefined);
      await processes.keys?.kill('SIGKILL');
      await system.nats?.stop();
      await shutdownTracing();
      await postgres?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return system;
}

export interface HttpAnswer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  basic?: { apiKey: string; secret: string };
  bearer?: string;
  headers?: Record<string, string>;
}

export async function http<T = any>(system: { baseUrl: string }, method: string, path: string, options: RequestOptions = {}): Promise<HttpAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  if (options.basic) headers.authorization = `Basic ${Buffer.from(`${options.basic.apiKey}:${options.basic.secret}`).toString('base64')}`;
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  const response = await fetch(`${system.baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}

/**
 * Starts an authorization-code + PKCE (S256) request the way a browser would, and follows it to the
 * tenant's login page: the PKCE verifier and the `login_challenge` the login app receives.
 */
export async function startAuthorization(
  system: { baseUrl: string },
  request: { tenant: string; clientId: string; redirectUri: string; state?: string },
): Promise<{ verifier: string; challenge: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${system.baseUrl}/realms/${request.tenant}/protocol/openid-connect/auth`);
  const params = {
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: request.state ?? 'xyz',
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  const response = await fetch(url, { redirect: 'manual' });
  await response.arrayBuffer();
  if (response.status !== 302) throw new Error(`the authorization request answered ${response.status}, not a redirect to the login page`);
  return { verifier, challenge: new URL(response.headers.get('location')!).searchParams.get('login_challenge')! };
}

export function admin(system: RoomkeySystem) {
  const call = (method: string, path: string, body?: unknown) => http(system, method, path, { body, bearer: system.adminToken });
  return {
    call,
    async createTenant(shortcode: string, extra: Record<string, unknown> = {}) {
      const answer = await call('POST', '/admin/tenants', { shortcode, name: `Tenant ${shortcode}`, ...extra });
      if (answer.status !== 201) throw new Error(`createTenant ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body;
    },
    async createApiKey(tenant: string, environment: 'production' | 'development' = 'production'): Promise<{ apiKey: string; secret: string }> {
      const answer = await call('POST', `/admin/tenants/${tenant}/api-keys`, { environment });
      if (answer.status !== 201) throw new Error(`createApiKey ${answer.status} ${JSON.stringify(answer.body)}`);
      return { apiKey: answer.body.apiKey, secret: answer.body.secret };
    },
  };
}

/** Polls `check` until it returns true; resolves with the time it took, or rejects after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 20): Promise<number> {
  const started = Date.now();
  while (Date.now() - started <= timeoutMs) {
    if (await check()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
