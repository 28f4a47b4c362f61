import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ADMIN_TOKEN_FILE,
  ConfigError,
  DEFAULT_KEY_CACHE_SIZE,
  MASTER_KEY_FILE,
  readCommonConfig,
  readGatewayConfig,
  readIssuerConfig,
  readKeysConfig,
  readPort,
  readPublicUrl,
  type Env,
} from './config';

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'roomkey-config-'));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

const base = (extra: Env = {}): Env => ({ ROOMKEY_DATA_DIR: dataDir, ...extra });

function configError(fn: () => unknown): ConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  return caught as ConfigError;
}

describe('PORT', () => {
  it('defaults to 8080', () => {
    expect(readPort(base())).toBe(8080);
    expect(readPort(base({ PORT: '' }))).toBe(8080);
  });

  it('accepts 1 to 65535', () => {
    expect(readPort(base({ PORT: '1' }))).toBe(1);
    expect(readPort(base({ PORT: '65535' }))).toBe(65535);
    expect(readPort(base({ PORT: '9090' }))).toBe(9090);
  });

  it.each(['abc', '0', '70000', '65536', '-1', '80.5', '8080abc', '0x50'])('rejects %p, naming PORT', (port) => {
    const error = configError(() => readPort(base({ PORT: port })));
    expect(error.message).toMatch(/^PORT /);
    expect(error.message).toContain(`'${port}'`);
  });

  it('is checked by the gateway config as well', () => {
    expect(configError(() => readGatewayConfig(base({ PORT: 'abc', ROOMKEY_ADMIN_TOKEN: 'x'.repeat(16) }))).message).toContain('PORT');
  });
});

describe('NATS_URL and DATABASE_URL', () => {
  it('defaults NATS_URL to nats://127.0.0.1:4222', () => {
    expect(readCommonConfig(base()).natsUrl).toBe('nats://127.0.0.1:4222');
    expect(readCommonConfig(base({ NATS_URL: 'tls://nats.internal:4443' })).natsUrl).toBe('tls://nats.internal:4443');
  });

  it.each(['not a url', 'http://127.0.0.1:4222', '127.0.0.1:4222'])('rejects NATS_URL %p, naming it', (value) => {
    expect(configError(() => readCommonConfig(base({ NATS_URL: value }))).message).toMatch(/^NATS_URL /);
  });

  it('accepts postgres URLs and leaves DATABASE_URL undefined when unset', () => {
    const key = randomBytes(32).toString('base64');
    expect(readKeysConfig(base({ ROOMKEY_MASTER_KEY: key })).databaseUrl).toBeUndefined();
    expect(readKeysConfig(base({ ROOMKEY_MASTER_KEY: key, DATABASE_URL: 'postgres://u@127.0.0.1/test' })).databaseUrl).toBe(
      'postgres://u@127.0.0.1/test',
    );
    expect(readKeysConfig(base({ ROOMKEY_MASTER_KEY: key, DATABASE_URL: 'postgresql://u@h/db' })).databaseUrl).toBe('postgresql://u@h/db');
  });

  it.each(['mysql://u@h/db', 'sqlite:///tmp/x.db', 'nonsense'])('rejects DATABASE_URL %p, naming it', (value) => {
    const key = randomBytes(32).toString('base64');
    expect(configError(() => readKeysConfig(base({ ROOMKEY_MASTER_KEY: key, DATABASE_URL: value }))).message).toMatch(/^DATABASE_URL /);
  });
});

describe('ROOMKEY_MASTER_KEY', () => {
  it('is required when NODE_ENV=production, and nothing is written', () => {
    const error = configError(() => readKeysConfig(base({ NODE_ENV: 'production' })));
    expect(error.message).toContain('ROOMKEY_MASTER_KEY');
    expect(configError(() => readIssuerConfig(base({ NODE_ENV: 'production' }))).message).toContain('ROOMKEY_MASTER_KEY');
    expect(() => statSync(join(dataDir, MASTER_KEY_FILE))).toThrow();
  });

  it('is taken from the environment when set (base64 of 32 bytes)', () => {
    const key = randomBytes(32);
    expect(readKeysConfig(base({ NODE_ENV: 'production', ROOMKEY_MASTER_KEY: key.toString('base64') })).masterKey.equals(key)).toBe(true);
  });

  it.each([
    ['31 bytes', randomBytes(31).toString('base64')],
    ['33 bytes', randomBytes(33).toString('base64')],
    ['not base64', 'this is not base64 at all!!'],
    ['base64url of 32 bytes without padding', Buffer.alloc(32, 0xff).toString('base64url')],
  ])('rejects a master key of %s, naming ROOMKEY_MASTER_KEY', (_label, value) => {
    expect(configError(() => readKeysConfig(base({ ROOMKEY_MASTER_KEY: value }))).message).toContain('ROOMKEY_MASTER_KEY');
  });

  it('is generated outside production under ROOMKEY_DATA_DIR with mode 0600 and stays the same', () => {
    const first = readKeysConfig(base()).masterKey;
    expect(first).toHaveLength(32);
    const path = join(dataDir, MASTER_KEY_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64').equals(first)).toBe(true);
    const second = readIssuerConfig(base()).masterKey;
    expect(second.equals(first)).toBe(true);
  });

  it('creates ROOMKEY_DATA_DIR when it does not exist yet', () => {
    const nested = join(dataDir, 'a', 'b');
    expect(readKeysConfig({ ROOMKEY_DATA_DIR: nested }).masterKey).toHaveLength(32);
    expect(statSync(join(nested, MASTER_KEY_FILE)).isFile()).toBe(true);
  });

  it('rejects a corrupt key file, naming the file', () => {
    writeFileSync(join(dataDir, MASTER_KEY_FILE), 'short\n');
    expect(configError(() => readKeysConfig(base())).message).toContain(MASTER_KEY_FILE);
  });
});

describe('ROOMKEY_ADMIN_TOKEN', () => {
  it('is generated once: generated true, then false with the same token', () => {
    const first = readGatewayConfig(base());
    expect(first.adminTokenGenerated).toBe(true);
    expect(first.adminToken).toMatch(/^rk_admin_[A-Za-z0-9_-]{43}$/);
    const path = join(dataDir, ADMIN_TOKEN_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const second = readGatewayConfig(base());
    expect(second.adminTokenGenerated).toBe(false);
    expect(second.adminToken).toBe(first.adminToken);
  });

  it('is taken from the environment when at least 16 characters long', () => {
    const config = readGatewayConfig(base({ ROOMKEY_ADMIN_TOKEN: 'x'.repeat(16) }));
    expect(config.adminToken).toBe('x'.repeat(16));
    expect(config.adminTokenGenerated).toBe(false);
    expect(() => statSync(join(dataDir, ADMIN_TOKEN_FILE))).toThrow();
  });

  it('rejects a token shorter than 16 characters, naming the variable', () => {
    expect(configError(() => readGatewayConfig(base({ ROOMKEY_ADMIN_TOKEN: 'x'.repeat(15) }))).message).toContain('ROOMKEY_ADMIN_TOKEN');
  });
});

describe('PUBLIC_URL', () => {
  it('defaults to http://127.0.0.1:{PORT}', () => {
    expect(readPublicUrl(base())).toBe('http://127.0.0.1:8080');
    expect(readPublicUrl(base({ PORT: '9191' }))).toBe('http://127.0.0.1:9191');
    const gateway = readGatewayConfig(base({ PORT: '9191' }));
    expect(gateway.publicUrl).toBe('http://127.0.0.1:9191');
    expect(gateway.port).toBe(9191);
  });

  it('is taken as given, without trailing slashes', () => {
    expect(readPublicUrl(base({ PUBLIC_URL: 'https://id.example.com/' }))).toBe('https://id.example.com');
    expect(readIssuerConfig(base({ PUBLIC_URL: 'https://id.example.com' })).publicUrl).toBe('https://id.example.com');
  });

  it('must be http(s), naming PUBLIC_URL', () => {
    expect(configError(() => readPublicUrl(base({ PUBLIC_URL: 'ftp://x' }))).message).toMatch(/^PUBLIC_URL /);
    expect(configError(() => readPublicUrl(base({ PUBLIC_URL: 'nope' }))).message).toMatch(/^PUBLIC_URL /);
  });
});

describe('the message plane (namespace and NATS credentials)', () => {
  it('takes a namespace matching the contract, naming ROOMKEY_NAMESPACE otherwise', () => {
    expect(readCommonConfig(base({ ROOMKEY_NAMESPACE: 'team-a' })).namespace).toBe('team-a');
    for (const bad of ['Team', '1abc', 'a.b', 'a>', 'x'.repeat(33), '-a']) {
      expect(configError(() => readCommonConfig(base({ ROOMKEY_NAMESPACE: bad }))).message).toMatch(/^ROOMKEY_NAMESPACE /);
    }
  });

  it('takes several comma-separated NATS URLs and checks each', () => {
    expect(readCommonConfig(base({ NATS_URL: 'nats://a:4222, nats://b:4222' })).natsUrl).toBe('nats://a:4222,nats://b:4222');
    expect(configError(() => readCommonConfig(base({ NATS_URL: 'nats://a:4222,http://b' }))).message).toMatch(/^NATS_URL /);
  });

  it('takes a user and password together, and only one way to authenticate', () => {
    expect(readCommonConfig(base({ NATS_USER: 'svc', NATS_PASSWORD: 'pw' })).natsAuth).toEqual({ user: 'svc', pass: 'pw' });
    expect(readCommonConfig(base({ NATS_TOKEN: 't0k3n' })).natsAuth).toEqual({ token: 't0k3n' });
    expect(configError(() => readCommonConfig(base({ NATS_USER: 'svc' }))).message).toMatch(/^NATS_PASSWORD /);
    expect(configError(() => readCommonConfig(base({ NATS_PASSWORD: 'pw' }))).message).toMatch(/^NATS_USER /);
    expect(configError(() => readCommonConfig(base({ NATS_TOKEN: 't', NATS_USER: 'u', NATS_PASSWORD: 'p' }))).message).toMatch(/alternatives/);
  });

  it('reads a creds file, naming NATS_CREDS when it is missing or not a creds file', () => {
    expect(configError(() => readCommonConfig(base({ NATS_CREDS: join(dataDir, 'missing.creds') }))).message).toMatch(/^NATS_CREDS /);
    const notCreds = join(dataDir, 'not.creds');
    writeFileSync(notCreds, 'hello');
    expect(configError(() => readCommonConfig(base({ NATS_CREDS: notCreds }))).message).toMatch(/^NATS_CREDS /);
    const creds = join(dataDir, 'svc.creds');
    writeFileSync(creds, '-----BEGIN NATS USER JWT-----\neyJ\n------END NATS USER JWT------\n-----BEGIN USER NKEY SEED-----\nSUA\n------END USER NKEY SEED------\n');
    expect(readCommonConfig(base({ NATS_CREDS: creds })).natsAuth.creds).toContain('USER NKEY SEED');
  });

  it('reads TLS files, naming the unreadable one and asking for cert and key together', () => {
    expect(configError(() => readCommonConfig(base({ NATS_TLS_CA: join(dataDir, 'nope.pem') }))).message).toMatch(/^NATS_TLS_CA /);
    const pem = join(dataDir, 'cert.pem');
    writeFileSync(pem, '-----BEGIN CERTIFICATE-----\n');
    expect(configError(() => readCommonConfig(base({ NATS_TLS_CERT: pem }))).message).toMatch(/^NATS_TLS_KEY /);
    expect(readCommonConfig(base({ NATS_TLS_CA: pem })).natsAuth.tls).toEqual({ ca: '-----BEGIN CERTIFICATE-----\n' });
  });

  it('reads ROOMKEY_JETSTREAM_REPLICAS (1–5)', () => {
    expect(readCommonConfig(base({ ROOMKEY_JETSTREAM_REPLICAS: '3' })).jetStreamReplicas).toBe(3);
    expect(configError(() => readCommonConfig(base({ ROOMKEY_JETSTREAM_REPLICAS: '0' }))).message).toMatch(/^ROOMKEY_JETSTREAM_REPLICAS /);
  });

  it('reads ROOMKEY_ALLOW_OPEN_NATS', () => {
    expect(readCommonConfig(base({ ROOMKEY_ALLOW_OPEN_NATS: '1' })).allowOpenNats).toBe(true);
    expect(configError(() => readCommonConfig(base({ ROOMKEY_ALLOW_OPEN_NATS: 'yes' }))).message).toMatch(/^ROOMKEY_ALLOW_OPEN_NATS /);
  });
});

describe('other settings', () => {
  it('reads the common defaults', () => {
    const common = readCommonConfig(base());
    expect(common).toEqual({
      natsUrl: 'nats://127.0.0.1:4222',
      namespace: 'roomkey',
      natsAuth: {},
      allowOpenNats: false,
      jetStreamReplicas: 1,
      dataDir,
      production: false,
      natsRequestTimeoutMs: 5000,
      logLevel: 'info',
      logFormat: process.stdout.isTTY ? 'pretty' : 'json',
    });
    expect(readCommonConfig(base({ NODE_ENV: 'production' })).production).toBe(true);
  });

  it('rejects an unknown LOG_LEVEL, naming it', () => {
    expect(configError(() => readCommonConfig(base({ LOG_LEVEL: 'verbose' }))).message).toMatch(/^LOG_LEVEL /);
  });

  it("reads LOG_LEVEL as pino's levels, still taking log (as info), and LOG_FORMAT json or pretty", () => {
    for (const level of ['debug', 'info', 'warn', 'error', 'silent']) expect(readCommonConfig(base({ LOG_LEVEL: level })).logLevel).toBe(level);
    expect(readCommonConfig(base({ LOG_LEVEL: 'log' })).logLevel).toBe('info');
    expect(readCommonConfig(base({ LOG_FORMAT: 'pretty' })).logFormat).toBe('pretty');
    expect(readCommonConfig(base({ LOG_FORMAT: 'json' })).logFormat).toBe('json');
    expect(configError(() => readCommonConfig(base({ LOG_FORMAT: 'text' }))).message).toMatch(/^LOG_FORMAT must be json or pretty/);
  });

  it('reads rotation settings of the keys service (0 turns scheduled rotation off)', () => {
    const key = randomBytes(32).toString('base64');
    const defaults = readKeysConfig(base({ ROOMKEY_MASTER_KEY: key }));
    expect(defaults.rotationIntervalSeconds).toBe(30 * 86400);
    expect(defaults.sweepIntervalSeconds).toBe(60);
    expect(readKeysConfig(base({ ROOMKEY_MASTER_KEY: key, ROOMKEY_SIGNING_KEY_ROTATION_SECONDS: '0' })).rotationIntervalSeconds).toBe(0);
    expect(configError(() => readKeysConfig(base({ ROOMKEY_MASTER_KEY: key, ROOMKEY_KEY_SWEEP_SECONDS: '0' }))).message).toMatch(
      /^ROOMKEY_KEY_SWEEP_SECONDS /,
    );
  });

  it('reads ROOMKEY_KEY_CACHE_SIZE for the issuer (default 20,000; 1 to 1,000,000), naming it when invalid', () => {
    const key = randomBytes(32).toString('base64');
    expect(DEFAULT_KEY_CACHE_SIZE).toBe(20_000);
    expect(readIssuerConfig(base({ ROOMKEY_MASTER_KEY: key })).keyCacheSize).toBe(20_000);
    expect(readIssuerConfig(base({ ROOMKEY_MASTER_KEY: key, ROOMKEY_KEY_CACHE_SIZE: '' })).keyCacheSize).toBe(20_000);
    expect(readIssuerConfig(base({ ROOMKEY_MASTER_KEY: key, ROOMKEY_KEY_CACHE_SIZE: '1' })).keyCacheSize).toBe(1);
    expect(readIssuerConfig(base({ ROOMKEY_MASTER_KEY: key, ROOMKEY_KEY_CACHE_SIZE: '1000000' })).keyCacheSize).toBe(1_000_000);
    for (const bad of ['0', '-5', '2k', '1.5', '1000001', 'many']) {
      const error = configError(() => readIssuerConfig(base({ ROOMKEY_MASTER_KEY: key, ROOMKEY_KEY_CACHE_SIZE: bad })));
      expect(error.message).toMatch(/^ROOMKEY_KEY_CACHE_SIZE /);
      expect(error.message).toContain(`'${bad}'`);
    }
  });
});

describe('traces (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('is off (no key at all) when unset or empty, and takes an http(s) URL', () => {
    expect('otlpEndpoint' in readCommonConfig(base())).toBe(false);
    expect('otlpEndpoint' in readCommonConfig(base({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }))).toBe(false);
    expect(readCommonConfig(base({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).otlpEndpoint).toBe('http://collector:4318');
    expect(readCommonConfig(base({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example/' })).otlpEndpoint).toBe('https://otel.example/');
  });

  it('names the variable when the value is not an http(s) URL', () => {
    for (const bad of ['collector:4318x', 'grpc://collector:4317', 'not a url']) {
      const error = configError(() => readCommonConfig(base({ OTEL_EXPORTER_OTLP_ENDPOINT: bad })));
      expect(error.message).toMatch(/^OTEL_EXPORTER_OTLP_ENDPOINT /);
    }
  });
});
