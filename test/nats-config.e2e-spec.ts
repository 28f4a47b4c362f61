/**
 * `npm run nats-config` output on a real nats-server: the services role can use its JetStream
 * stream and KV buckets; the client role can only request the public subjects and read events
 * (contract §5.1); wrong credentials are refused; `--cluster 3` forms a cluster.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, errors, type NatsConnection } from '@nats-io/transport-node';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Namespace } from '../libs/contracts/namespace';
import { writeNatsConfig } from '../scripts/nats-config';
import { freePort, startNatsServer, type RunningNatsServer } from '../scripts/nats-server';

const root = resolve(__dirname, '..');
const ns = new Namespace('acme');

function readEnvFile(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line);
    if (match) env[match[1]] = match[2];
  }
  return env;
}

/** The PermissionViolationErrors the server reported to this connection. */
function watchViolations(nc: NatsConnection): InstanceType<typeof errors.PermissionViolationError>[] {
  const seen: InstanceType<typeof errors.PermissionViolationError>[] = [];
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'error' && status.error instanceof errors.PermissionViolationError) seen.push(status.error);
    }
  })();
  return seen;
}

/** A request refused by permissions: RequestError caused by a PermissionViolationError, not a timeout. */
async function expectDenied(operation: Promise<unknown>): Promise<void> {
  const error = await operation.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error).toBeDefined();
  const cause = error instanceof errors.RequestError ? error.cause : error;
  expect(cause).toBeInstanceOf(errors.PermissionViolationError);
}

async function eventually(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const encode = (value: unknown) => JSON.stringify(value);

describe('npm run nats-config: one namespace, two roles', () => {
  let dir: string;
  let server: RunningNatsServer;
  let servicesEnv: Record<string, string>;
  let clientOptions: { servers: string[]; user: string; pass: string };
  let services: NatsConnection;
  let client: NatsConnection;
  let clientViolations: ReturnType<typeof watchViolations>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'roomkey-nats-config-'));
    const port = await freePort();
    const written = writeNatsConfig({ out: join(dir, 'conf'), namespace: ns.name, port });
    server = await startNatsServer({ port, storeDir: join(dir, 'jetstream'), configFile: written.serverConfigs[0] });
    servicesEnv = readEnvFile(written.servicesEnv);
    clientOptions = JSON.parse(readFileSync(written.clientJson, 'utf8'));
    services = await connect({ servers: servicesEnv.NATS_URL.split(','), user: servicesEnv.NATS_USER, pass: servicesEnv.NATS_PASSWORD, inboxPrefix: ns.serviceInboxPrefix });
    client = await connect(clientOptions);
    clientViolations = watchViolations(client);
  });

  afterAll(async () => {
    await client?.close();
    await services?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the three files with mode 0600 and the services settings', () => {
    const conf = join(dir, 'conf');
    for (const file of ['nats-server.conf', 'services.env', 'client.json']) {
      expect(statSync(join(conf, file)).mode & 0o777).toBe(0o600);
    }
    expect(servicesEnv).toMatchObject({ NATS_URL: server.url, NATS_USER: 'acme-services', ROOMKEY_NAMESPACE: 'acme' });
    expect(servicesEnv.NATS_PASSWORD).toMatch(/^[\w-]{32}$/);
    expect(clientOptions).toEqual({ servers: [server.url], user: 'acme-client', pass: expect.stringMatching(/^[\w-]{32}$/) });
    expect(clientOptions.pass).not.toBe(servicesEnv.NATS_PASSWORD);
  });

  it('lets the services use their events stream and KV buckets', async () => {
    const manager = await jetstreamManager(services);
    await manager.streams.add({ name: ns.eventsStream, subjects: [ns.allEvents] });
    const js = jetstream(services);
    const ack = await js.publish(ns.eventSubject('t', 'token.revoked'), encode({ jti: 'j1' }));
    expect(ack.stream).toBe(ns.eventsStream);
    expect((await manager.streams.info(ns.eventsStream)).state.messages).toBe(1);
    expect((await manager.streams.getMessage(ns.eventsStream, { seq: ack.seq }))!.json()).toEqual({ jti: 'j1' });
    const consumer = await js.consumers.get(ns.eventsStream);
    expect((await consumer.next({ expires: 2000 }))!.json()).toEqual({ jti: 'j1' });

    const kv = await new Kvm(services).create(ns.bucket('revokedTokens'), { history: 1, ttl: 60_000 });
    const seen: string[] = [];
    const watcher = await kv.watch({ key: '>' });
    void (async () => {
      for await (const entry of watcher) seen.push(`${entry.operation}:${entry.key}`);
    })();
    await kv.put('jti-1', 'revoked');
    expect((await kv.get('jti-1'))!.string()).toBe('revoked');
    const revision = await kv.create('jti-2', 'x');
    await kv.update('jti-2', 'y', revision);
    await kv.delete('jti-1');
    await eventually(() => seen.includes('DEL:jti-1'));
    expect(seen).toEqual(['PUT:jti-1', 'PUT:jti-2', 'PUT:jti-2', 'DEL:jti-1']);
    watcher.stop();

    // Every bucket roomkey keeps can be created by the services.
    const kvm = new Kvm(services);
    for (const bucket of ['authFailures', 'loginRequests', 'refreshTokens', 'invites', 'identityRateLimits', 'deploymentOwner'] as const) {
      const other = await kvm.create(ns.bucket(bucket), { history: 1 });
      await other.put('k', 'v');
      expect((await other.get('k'))!.string()).toBe('v');
    }
  });

  it('keeps the services away from JetStream streams that are not theirs', async () => {
    const manager = await jetstreamManager(services);
    await expectDenied(manager.streams.add({ name: 'OTHER_EVENTS', subjects: ['other.>'] }));
    await expectDenied(new Kvm(services).create('other_bucket'));
  });

  it('lets the client request the public subjects and read events', async () => {
    const responder = services.subscribe(`${ns.name}.v1.tokens.create`, {
      queue: ns.queueGroup('issuer'),
      callback: (_error, message) => void message.respond(encode({ ok: true, echo: message.json() })),
    });
    await services.flush();
    const reply = await client.request(`${ns.name}.v1.tokens.create`, encode({ userId: 'bob' }), { timeout: 2000 });
    expect(reply.json()).toEqual({ ok: true, echo: { userId: 'bob' } });
    responder.unsubscribe();

    const events: string[] = [];
    client.subscribe(ns.allEvents, { callback: (_e, m) => void events.push(m.subject) });
    await client.flush();
    await jetstream(services).publish(ns.eventSubject('t', 'tenant.created'), encode({ actor: 'admin' }));
    await eventually(() => events.includes(ns.eventSubject('t', 'tenant.created')));
    expect(clientViolations).toEqual([]);
  });

  it('refuses the client internal subjects, JetStream, KV and streams', async () => {
    const responder = services.subscribe(`${ns.name}.internal.keys.tenants.create`, { callback: (_e, m) => void m.respond(encode({ ok: true })) });
    await services.flush();
    await expectDenied(client.request(`${ns.name}.internal.keys.tenants.create`, encode({ body: { shortcode: 'x' } }), { timeout: 2000 }));
    responder.unsubscribe();

    const kv = await new Kvm(client).open(ns.bucket('revokedTokens'));
    await expectDenied(kv.get('jti-2'));
    await expectDenied(kv.put('jti-3', 'forged'));
    expect(await (await new Kvm(services).open(ns.bucket('revokedTokens'))).get('jti-3')).toBeNull();

    const manager = await jetstreamManager(client, { checkAPI: false });
    await expectDenied(manager.streams.info(ns.eventsStream));
    await expectDenied(manager.streams.getMessage(ns.eventsStream, { seq: 1 }));
    await expectDenied(manager.streams.add({ name: 'EVIL', subjects: ['evil.>'] }));
    await expectDenied(jetstream(client).publish(ns.eventSubject('t', 'token.revoked'), encode({ jti: 'forged' })));
  });

  it('drops events the client publishes and subscriptions to request subjects', async () => {
    const heard: string[] = [];
    const listener = services.subscribe(ns.allEvents, { callback: (_e, m) => void heard.push(m.string()) });
    await services.flush();
    const before = clientViolations.length;
    client.publish(ns.eventSubject('t', 'token.revoked'), encode({ jti: 'forged' }));
    await client.flush();
    await eventually(() => clientViolations.length > before);
    expect(clientViolations.at(-1)).toMatchObject({ operation: 'publish', subject: ns.eventSubject('t', 'token.revoked') });
    await pause(100);
    expect(heard).toEqual([]);
    listener.unsubscribe();

    const snoop = client.subscribe(`${ns.name}.v1.tokens.create`);
    expect(await snoop.closed).toBeInstanceOf(errors.PermissionViolationError);
    const internal = client.subscribe(`${ns.name}.internal.>`);
    expect(await internal.closed).toBeInstanceOf(errors.PermissionViolationError);
    expect(client.isClosed()).toBe(false);
  });

  it('refuses a wrong password and no credentials', async () => {
    await expect(connect({ ...clientOptions, pass: 'wrong' })).rejects.toBeInstanceOf(errors.AuthorizationError);
    await expect(connect({ servers: server.url, user: servicesEnv.NATS_USER, pass: 'wrong' })).rejects.toBeInstanceOf(errors.AuthorizationError);
    await expect(connect({ servers: server.url })).rejects.toBeInstanceOf(errors.AuthorizationError);
  });
});

describe('npm run nats-config: the command line', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [join(root, 'scripts', 'nats-config.js'), ...args], { encoding: 'utf8' });

  it.each([[[]], [['--out']], [['--out', '/tmp/x', '--namespace', 'Acme']], [['--out', '/tmp/x', '--cluster', '2']], [['--out', '/tmp/x', '--port', 'http']], [['--out', '/tmp/x', '--frobnicate']]])(
    'exits 2 with the usage line for %j',
    (args) => {
      const result = run(...args);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('usage: npm run nats-config -- --out DIR');
    },
  );

  it('writes the files and says how to run them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roomkey-nats-config-cli-'));
    try {
      const result = run('--out', join(dir, 'conf'), '--namespace', 'acme');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(`nats-server -c ${join(dir, 'conf', 'nats-server.conf')}`);
      expect(result.stdout).toContain('services.env; set +a; npm start');
      const password = readEnvFile(join(dir, 'conf', 'services.env')).NATS_PASSWORD;
      expect(result.stdout).not.toContain(password);
      const again = run('--out', join(dir, 'conf'), '--if-missing');
      expect(again.status).toBe(0);
      expect(readEnvFile(join(dir, 'conf', 'services.env')).NATS_PASSWORD).toBe(password);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** `count` consecutive free ports on 127.0.0.1. */
async function freePortRun(count: number): Promise<number> {
  const bindable = (port: number) =>
    new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
  for (;;) {
    const first = await freePort();
    if (first + count > 65535) continue;
    let ok = true;
    for (let i = 1; i < count && ok; i++) ok = await bindable(first + i);
    if (ok) return first;
  }
}

describe('npm run nats-config -- --cluster 3', () => {
  let dir: string;
  const servers: RunningNatsServer[] = [];

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes three servers that form a cluster with replicated KV', async () => {
    dir = mkdtempSync(join(tmpdir(), 'roomkey-nats-cluster-'));
    const port = await freePortRun(3);
    const clusterPort = await freePortRun(3);
    const written = writeNatsConfig({ out: dir, namespace: ns.name, cluster: 3, port, clusterPort });
    expect(written.serverConfigs.map((f: string) => f.slice(dir.length + 1))).toEqual(['nats-server-1.conf', 'nats-server-2.conf', 'nats-server-3.conf']);
    const env = readEnvFile(written.servicesEnv);
    expect(env.NATS_URL).toBe([0, 1, 2].map((i) => `nats://127.0.0.1:${port + i}`).join(','));
    expect(env.ROOMKEY_JETSTREAM_REPLICAS).toBe('3');
    for (const [i, configFile] of written.serverConfigs.entries()) {
      servers.push(await startNatsServer({ port: port + i, storeDir: join(dir, `jetstream-${i + 1}`), configFile }));
    }

    const nc = await connect({ servers: env.NATS_URL.split(','), user: env.NATS_USER, pass: env.NATS_PASSWORD, inboxPrefix: ns.serviceInboxPrefix });
    try {
      const deadline = Date.now() + 20_000;
      for (;;) {
        try {
          const kv = await new Kvm(nc).create(ns.bucket('revokedTokens'), { replicas: 3 });
          await kv.put('jti', 'revoked');
          expect((await kv.get('jti'))!.string()).toBe('revoked');
          break;
        } catch (error) {
          // No JetStream meta leader yet right after start.
          if (Date.now() > deadline) throw error;
          await pause(250);
        }
      }
      const info = await (await jetstreamManager(nc)).streams.info(`KV_${ns.bucket('revokedTokens')}`);
      expect(info.config.num_replicas).toBe(3);
      expect(info.cluster?.replicas).toHaveLength(2);
    } finally {
      await nc.close();
    }
  });
});
