/**
 * Configuration from the environment (contract §6), validated at start-up. A bad value stops the
 * service with one sentence naming the variable, before anything listens.
 */
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { NAMESPACE_PATTERN } from '@roomkey/contracts';

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface CommonConfig {
  /** One URL or several, comma-separated (a NATS cluster). */
  natsUrl: string;
  /** First token of every subject, prefix of queue groups, buckets and streams (contract §5). */
  namespace: string;
  /** How roomkey's services authenticate to NATS; empty: no authentication. Never logged. */
  natsAuth: NatsAuth;
  /** With NODE_ENV=production, start on a NATS that asks for no credentials anyway. */
  allowOpenNats: boolean;
  /** Copies of every stream and KV bucket roomkey creates (3 on a NATS cluster); absent: 1. */
  jetStreamReplicas?: number;
  dataDir: string;
  production: boolean;
  /** Timeout of every NATS request a service makes, in ms. */
  natsRequestTimeoutMs: number;
  logLevel: LogLevel;
  /** JSON lines, or pino-pretty text for a person at a terminal (no colours when not a TTY). */
  logFormat?: LogFormat;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: the OTLP/HTTP base URL traces go to (`…/v1/traces`); absent: no tracing. */
  otlpEndpoint?: string;
}

export interface NatsAuth {
  user?: string;
  pass?: string;
  token?: string;
  /** Contents of the NATS_CREDS file (JWT + NKey seed). */
  creds?: string;
  tls?: { ca?: string; cert?: string; key?: string };
}

/** pino's levels (contract §6: `info` by default); `log`, NestJS's name for `info`, is still accepted. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface KeysConfig extends CommonConfig {
  /** undefined: embedded SQLite under dataDir. */
  databaseUrl?: string;
  masterKey: Buffer;
  /** Rotate each tenant's signing key when its active key is this old; 0 turns scheduled rotation off. */
  rotationIntervalSeconds: number;
  /** How often the keys service retires expired keys and runs scheduled rotations. */
  sweepIntervalSeconds: number;
  /** How long an OAuth client's previous secret keeps working after a secret rotation. */
  clientSecretGraceSeconds: number;
  /** Webhook delivery settings (optional in hand-built configs: see webhookSettings). */
  webhooks?: Partial<WebhookSettings>;
}

/** How the keys service delivers webhooks. */
export interface WebhookSettings {
  /** http:// endpoints too (ROOMKEY_WEBHOOKS_ALLOW_HTTP; default: outside production only). */
  allowHttp: boolean;
  /** First retry after about this long, doubling each time up to an hour, with jitter (ROOMKEY_WEBHOOK_RETRY_BASE_MS). */
  retryBaseMs: number;
  /** Retried for this long after the event, then given up (ROOMKEY_WEBHOOK_RETRY_FOR_SECONDS, default a day). */
  retryForSeconds: number;
  /** One attempt's deadline (ROOMKEY_WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
  /** Deliveries in flight at once per endpoint and keys replica (ROOMKEY_WEBHOOK_CONCURRENCY). */
  concurrency: number;
}

/** The webhook settings in force: the config's, over the defaults (http allowed outside production). */
export function webhookSettings(config: Pick<KeysConfig, 'webhooks' | 'production'>): WebhookSettings {
  return { allowHttp: !config.production, retryBaseMs: 5000, retryForSeconds: 86400, timeoutMs: 10_000, concurrency: 4, ...config.webhooks };
}

export interface IssuerConfig extends CommonConfig {
  publicUrl: string;
  masterKey: Buffer;
  /** Failed authentications allowed per client id or API key, and per address, in each window. */
  authFailuresPerIdentifier: number;
  authFailuresPerAddress: number;
  authFailureWindowSeconds: number;
  /** How long a login request (authorization code flow) waits for the partner's login app. */
  loginRequestTtlSeconds: number;
  /** Lifetime of refresh tokens (authorization code flow), rotated on every use. */
  refreshTokenTtlSeconds: number;
  /**
   * Tenants whose keyring (tenant, issuer URL, signing key) the issuer keeps in memory, least
   * recently used evicted (ROOMKEY_KEY_CACHE_SIZE; each costs ~5 KB of native memory for its key
   * and ~4 KB of heap).
   * Optional so that hand-built configs get DEFAULT_KEY_CACHE_SIZE.
   */
  keyCacheSize?: number;
}

/**
 * Default of ROOMKEY_KEY_CACHE_SIZE: 20,000 tenants. A cap, not a reservation: memory grows only with
 * the tenants that sign here (~9 KB each). Traffic spread over more tenants than the cache holds
 * misses on every request (a keys-service round trip and a key import: −66 % throughput with 2,000
 * over 10,000 tenants in npm run bench, and the evicted keys' garbage cost more RSS than keeping them
 * did, 315 vs 270 MB), and an LRU exactly as large as the tenants it cycles through meets the same
 * worst case as soon as one more tenant comes in between (−38 % with 10,000 over 10,001). Twice the
 * 10,000 tenants the issuer is sized for keeps that cliff away.
 */
export const DEFAULT_KEY_CACHE_SIZE = 20_000;

export interface IdentityConfig extends CommonConfig {
  /**
   * Guest and anonymous tokens asked for with an API key alone (no secret; the tenant's guestAccess
   * or anonymousAccess switch on): at most this many a minute per client address and per tenant,
   * shared by every identity replica. 0 turns a limit off.
   */
  guestRateLimitPerAddress: number;
  guestRateLimitPerTenant: number;
}

export interface GatewayConfig extends CommonConfig {
  port: number;
  host: string;
  publicUrl: string;
  adminToken: string;
  /** Trust X-Forwarded-For for the client address (only behind a proxy that sets it). */
  trustProxy: boolean;
  /**
   * Event streams (GET /realms/{t}/revocations, the admin event feed) open at once per API key or
   * admin caller on one gateway (ROOMKEY_EVENT_STREAMS_PER_KEY; optional: DEFAULT_EVENT_STREAMS_PER_KEY).
   */
  eventStreamsPerKey?: number;
  /** Seconds between `: keep-alive` comments on an idle event stream (ROOMKEY_EVENT_STREAM_HEARTBEAT_SECONDS, default 15). */
  eventStreamHeartbeatSeconds?: number;
}

export const DEFAULT_EVENT_STREAMS_PER_KEY = 10;
export const DEFAULT_EVENT_STREAM_HEARTBEAT_SECONDS = 15;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (got '${raw}')`);
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false (got '${raw}')`);
}

function url(env: Env, name: string, fallback: string, protocols: string[]): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL such as ${fallback} (got '${raw}')`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')} (got '${raw}')`);
  }
  return raw;
}

function logLevel(env: Env): LogLevel {
  const raw = env.LOG_LEVEL || 'info';
  if (raw === 'log') return 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (or log, the same as info; got '${raw}')`);
  }
  return raw as LogLevel;
}

/** `LOG_FORMAT`: json, or pretty; unset: pretty when stdout is a terminal, else json. */
function logFormat(env: Env, stdoutIsTerminal = process.stdout.isTTY === true): LogFormat {
  const raw = env.LOG_FORMAT;
  if (raw === undefined || raw === '') return stdoutIsTerminal ? 'pretty' : 'json';
  if (!(LOG_FORMATS as readonly string[]).includes(raw)) {
    throw new ConfigError(`LOG_FORMAT must be json or pretty (got '${raw}')`);
  }
  return raw as LogFormat;
}

function namespace(env: Env): string {
  const raw = env.ROOMKEY_NAMESPACE;
  if (raw === undefined || raw === '') return 'roomkey';
  if (!NAMESPACE_PATTERN.test(raw)) {
    throw new ConfigError(`ROOMKEY_NAMESPACE must be 1–32 lower-case letters, digits or hyphens, starting with a letter (got '${raw}')`);
  }
  return raw;
}

function natsUrls(env: Env): string {
  const raw = env.NATS_URL;
  if (raw === undefined || raw === '') return 'nats://127.0.0.1:4222';
  const urls = raw.split(',').map((u) => u.trim());
  for (const one of urls) url({ NATS_URL: one }, 'NATS_URL', 'nats://127.0.0.1:4222', ['nats:', 'tls:', 'ws:', 'wss:']);
  return urls.join(',');
}

function readableFile(env: Env, name: string): string | undefined {
  const path = env[name];
  if (path === undefined || path === '') return undefined;
  try {
    const contents = readFileSync(path, 'utf8');
    if (!contents.trim()) throw new Error('the file is empty');
    return contents;
  } catch (error) {
    throw new ConfigError(`${name} must name a readable file (${path}: ${(error as Error).message})`);
  }
}

/** NATS_CREDS, or NATS_USER + NATS_PASSWORD, or NATS_TOKEN; TLS files. One way to authenticate at a time. */
export function readNatsAuth(env: Env): NatsAuth {
  const auth: NatsAuth = {};
  const user = env.NATS_USER || undefined;
  const pass = env.NATS_PASSWORD || undefined;
  const token = env.NATS_TOKEN || undefined;
  const creds = readableFile(env, 'NATS_CREDS');
  if ((user === undefined) !== (pass === undefined)) {
    throw new ConfigError(user ? 'NATS_PASSWORD must be set together with NATS_USER' : 'NATS_USER must be set together with NATS_PASSWORD');
  }
  const ways = [creds && 'NATS_CREDS', user && 'NATS_USER/NATS_PASSWORD', token && 'NATS_TOKEN'].filter(Boolean);
  if (ways.length > 1) throw new ConfigError(`NATS_CREDS, NATS_USER/NATS_PASSWORD and NATS_TOKEN are alternatives: set only one (got ${ways.join(' and ')})`);
  if (creds !== undefined) {
    if (!/-----BEGIN NATS USER JWT-----/.test(creds) || !/-----BEGIN USER NKEY SEED-----/.test(creds)) {
      throw new ConfigError(`NATS_CREDS must name a NATS .creds file (a user JWT and an NKey seed; ${env.NATS_CREDS} is not one)`);
    }
    auth.creds = creds;
  }
  if (user !== undefined) Object.assign(auth, { user, pass });
  if (token !== undefined) auth.token = token;
  const tls = { ca: readableFile(env, 'NATS_TLS_CA'), cert: readableFile(env, 'NATS_TLS_CERT'), key: readableFile(env, 'NATS_TLS_KEY') };
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new ConfigError(tls.cert ? 'NATS_TLS_KEY must be set together with NATS_TLS_CERT' : 'NATS_TLS_CERT must be set together with NATS_TLS_KEY');
  }
  if (tls.ca || tls.cert) {
    auth.tls = {};
    if (tls.ca) auth.tls.ca = tls.ca;
    if (tls.cert) Object.assign(auth.tls, { cert: tls.cert, key: tls.key });
  }
  return auth;
}

export function readCommonConfig(env: Env = process.env): CommonConfig {
  return {
    natsUrl: natsUrls(env),
    namespace: namespace(env),
    natsAuth: readNatsAuth(env),
    allowOpenNats: boolean(env, 'ROOMKEY_ALLOW_OPEN_NATS', false),
    jetStreamReplicas: integer(env, 'ROOMKEY_JETSTREAM_REPLICAS', 1, 1, 5),
    dataDir: resolve(env.ROOMKEY_DATA_DIR || './data'),
    production: env.NODE_ENV === 'production',
    natsRequestTimeoutMs: integer(env, 'ROOMKEY_NATS_TIMEOUT_MS', 5000, 100, 120000),
    logLevel: logLevel(env),
    logFormat: logFormat(env),
    ...otlpEndpoint(env),
  };
}

/** OTEL_EXPORTER_OTLP_ENDPOINT: an http(s) URL; unset or empty: no tracing (the key stays absent). */
function otlpEndpoint(env: Env): { otlpEndpoint?: string } {
  const raw = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (raw === undefined || raw.trim() === '') return {};
  return { otlpEndpoint: url(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', 'http://127.0.0.1:4318', ['http:', 'https:']) };
}

export function readPort(env: Env = process.env): number {
  return integer(env, 'PORT', 8080, 1, 65535);
}

export function readPublicUrl(env: Env = process.env): string {
  const fallback = `http://127.0.0.1:${readPort(env)}`;
  return url(env, 'PUBLIC_URL', fallback, ['http:', 'https:']).replace(/\/+$/, '');
}

/** Reads a secret file under the data dir, creating it (mode 0600) when it does not exist yet. */
export function loadOrCreateSecretFile(dataDir: string, fileName: string, generate: () => string): { value: string; created: boolean } {
  const path = join(dataDir, fileName);
  if (existsSync(path)) return { value: readExisting(path), created: false };
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // Write a private temporary file, then link it into place: the link fails if the file exists,
    // so services starting at once agree on one secret and nobody ever reads a half-written file.
    const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temporary, `${generate()}\n`, { flag: 'wx', mode: 0o600 });
    try {
      linkSync(temporary, path);
      return { value: readFileSync(path, 'utf8').trim(), created: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temporary);
    }
  } catch (error) {
    throw new ConfigError(`Cannot write ${path} (ROOMKEY_DATA_DIR): ${(error as Error).message}`);
  }
  return { value: readExisting(path), created: false };
}

function readExisting(path: string): string {
  const value = readFileSync(path, 'utf8').trim();
  if (!value) throw new ConfigError(`${path} is empty: delete it to have roomkey generate a new one`);
  return value;
}

export const MASTER_KEY_FILE = 'master.key';
export const ADMIN_TOKEN_FILE = 'admin-token';

export function loadMasterKey(env: Env, common: CommonConfig): Buffer {
  let raw = env.ROOMKEY_MASTER_KEY;
  let source = 'ROOMKEY_MASTER_KEY';
  if (!raw) {
    if (common.production) {
      throw new ConfigError('ROOMKEY_MASTER_KEY is required when NODE_ENV=production (base64 of 32 random bytes: openssl rand -base64 32)');
    }
    raw = loadOrCreateSecretFile(common.dataDir, MASTER_KEY_FILE, () => randomBytes(32).toString('base64')).value;
    source = join(common.dataDir, MASTER_KEY_FILE);
  }
  const key = Buffer.from(raw.trim(), 'base64');
  if (key.length !== 32 || key.toString('base64') !== raw.trim()) {
    throw new ConfigError(`${source} must be base64 of exactly 32 bytes (openssl rand -base64 32)`);
  }
  return key;
}

export function loadAdminToken(env: Env, common: CommonConfig): { token: string; generated: boolean } {
  const fromEnv = env.ROOMKEY_ADMIN_TOKEN;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < 16) throw new ConfigError('ROOMKEY_ADMIN_TOKEN must be at least 16 characters long');
    return { token: fromEnv, generated: false };
  }
  const { value, created } = loadOrCreateSecretFile(common.dataDir, ADMIN_TOKEN_FILE, () => `rk_admin_${randomBytes(32).toString('base64url')}`);
  return { token: value, generated: created };
}

export function readKeysConfig(env: Env = process.env): KeysConfig {
  const common = readCommonConfig(env);
  const databaseUrl = env.DATABASE_URL ? url(env, 'DATABASE_URL', 'postgres://user:password@host:5432/roomkey', ['postgres:', 'postgresql:']) : undefined;
  return {
    ...common,
    databaseUrl,
    masterKey: loadMasterKey(env, common),
    rotationIntervalSeconds: integer(env, 'ROOMKEY_SIGNING_KEY_ROTATION_SECONDS', 30 * 86400, 0, 10 * 365 * 86400),
    sweepIntervalSeconds: integer(env, 'ROOMKEY_KEY_SWEEP_SECONDS', 60, 1, 86400),
    clientSecretGraceSeconds: integer(env, 'ROOMKEY_CLIENT_SECRET_GRACE_SECONDS', 3600, 0, 30 * 86400),
    webhooks: {
      allowHttp: boolean(env, 'ROOMKEY_WEBHOOKS_ALLOW_HTTP', !common.production),
      retryBaseMs: integer(env, 'ROOMKEY_WEBHOOK_RETRY_BASE_MS', 5000, 10, 3_600_000),
      retryForSeconds: integer(env, 'ROOMKEY_WEBHOOK_RETRY_FOR_SECONDS', 86400, 1, 7 * 86400),
      timeoutMs: integer(env, 'ROOMKEY_WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
      concurrency: integer(env, 'ROOMKEY_WEBHOOK_CONCURRENCY', 4, 1, 64),
    },
  };
}

export function readIssuerConfig(env: Env = process.env): IssuerConfig {
  const common = readCommonConfig(env);
  return {
    ...common,
    publicUrl: readPublicUrl(env),
    masterKey: loadMasterKey(env, common),
    authFailuresPerIdentifier: integer(env, 'ROOMKEY_AUTH_FAILURES_PER_CLIENT', 10, 1, 1_000_000),
    authFailuresPerAddress: integer(env, 'ROOMKEY_AUTH_FAILURES_PER_ADDRESS', 100, 1, 1_000_000),
    authFailureWindowSeconds: integer(env, 'ROOMKEY_AUTH_FAILURE_WINDOW_SECONDS', 60, 1, 86400),
    loginRequestTtlSeconds: integer(env, 'ROOMKEY_LOGIN_REQUEST_TTL_SECONDS', 600, 30, 86400),
    refreshTokenTtlSeconds: integer(env, 'ROOMKEY_REFRESH_TOKEN_TTL_SECONDS', 30 * 86400, 60, 365 * 86400),
    keyCacheSize: integer(env, 'ROOMKEY_KEY_CACHE_SIZE', DEFAULT_KEY_CACHE_SIZE, 1, 1_000_000),
  };
}

export function readIdentityConfig(env: Env = process.env): IdentityConfig {
  return {
    ...readCommonConfig(env),
    guestRateLimitPerAddress: integer(env, 'ROOMKEY_GUEST_RATE_LIMIT_PER_ADDRESS', 30, 0, 1_000_000),
    guestRateLimitPerTenant: integer(env, 'ROOMKEY_GUEST_RATE_LIMIT_PER_TENANT', 600, 0, 1_000_000),
  };
}

export function readGatewayConfig(env: Env = process.env): GatewayConfig & { adminTokenGenerated: boolean } {
  const common = readCommonConfig(env);
  const admin = loadAdminToken(env, common);
  return {
    ...common,
    port: readPort(env),
    host: env.HOST || '0.0.0.0',
    publicUrl: readPublicUrl(env),
    adminToken: admin.token,
    adminTokenGenerated: admin.generated,
    trustProxy: boolean(env, 'ROOMKEY_TRUST_PROXY', false),
    eventStreamsPerKey: integer(env, 'ROOMKEY_EVENT_STREAMS_PER_KEY', DEFAULT_EVENT_STREAMS_PER_KEY, 1, 10_000),
    eventStreamHeartbeatSeconds: integer(env, 'ROOMKEY_EVENT_STREAM_HEARTBEAT_SECONDS', DEFAULT_EVENT_STREAM_HEARTBEAT_SECONDS, 1, 3600),
  };
}
