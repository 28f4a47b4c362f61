/**
 * The `roomkey` CLI and the README's "SDK" and "CLI" examples against the real services, and the
 * built package as a consumer outside the repository sees it (require + its .d.ts).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { admin, eventually, startSystem, testDatabases, type RoomkeySystem } from './support/harness';
import { natsRoles } from './support/nats-roles';

const root = join(__dirname, '..');
const bin = join(root, 'packages', 'sdk', 'bin', 'roomkey.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkBuild = require('../packages/sdk/scripts/build.js') as { build(options?: { types?: boolean }): void; needsBuild(): boolean };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: options.cwd ?? root, env: options.env, timeout: 60_000, maxBuffer: 8 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** The fenced blocks of one README section, with their language. */
function readmeBlocks(section: string): { lang: string; code: string }[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${section}\n`);
  if (start < 0) throw new Error(`README has no section ${section}`);
  const end = readme.indexOf('\n## ', start + 4);
  const text = readme.slice(start, end < 0 ? undefined : end);
  return [...text.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], code: m[2] }));
}

describe.each(testDatabases())('roomkey CLI and README examples on %s', (database) => {
  const roles = natsRoles();
  const { users } = roles;
  let system: RoomkeySystem;
  let key: { apiKey: string; secret: string };
  let env: NodeJS.ProcessEnv;
  let home: string;
  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => run(process.execPath, [bin, ...args], { env: { ...env, ...extra } });

  beforeAll(async () => {
    if (sdkBuild.needsBuild()) sdkBuild.build({ types: false });
    system = await startSystem({
      database,
      ...roles.system,
    });
    await admin(system).createTenant('demo', { guestAccess: true });
    key = await admin(system).createApiKey('demo');
    home = mkdtempSync(join(tmpdir(), 'roomkey-cli-home-'));
    // A clean environment: nothing of the caller's ROOMKEY_* leaks in; HOME is a temporary folder.
    env = {
      PATH: process.env.PATH,
      HOME: home,
      ROOMKEY_URL: system.baseUrl,
      ROOMKEY_API_KEY: key.apiKey,
      ROOMKEY_API_SECRET: key.secret,
      ROOMKEY_ADMIN_TOKEN: system.adminToken,
    };
  });

  afterAll(async () => {
    await system?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  describe('usage', () => {
    it('exits 2 with a usage line on bad usage', async () => {
      for (const args of [[], ['token'], ['token', 'create', '--role', 'HOST'], ['tenants', 'list', '--bogus'], ['api-keys', 'list'], ['token', 'create', '--user', 'a', '--role', 'HOST', '--ttl', 'soon']]) {
        const answer = await cli(args);
        expect({ args, code: answer.code }).toEqual({ args, code: 2 });
        expect(answer.stderr).toMatch(/^usage: roomkey/m);
      }
      const help = await cli(['--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/token create --user U --role R/);
    });
  });

  describe('tokens', () => {
    it('token create prints a token that token verify accepts (exit 0), and a revoked one it refuses (exit 1)', async () => {
      const created = await cli(['token', 'create', '--user', 'alice', '--role', 'HOST', '--room', 'r1', '--room', 'r2', '--ttl', '600']);
      expect(created.code).toBe(0);
      const token = created.stdout.trim();
      expect(token.split('.')).toHaveLength(3);
      const verified = await cli(['token', 'verify', token]);
      expect(verified.code).toBe(0);
      expect(verified.stdout).toMatch(/^sub\s+alice$/m);
      expect(verified.stdout).toMatch(/^rooms\s+\["r1","r2"\]$/m);

      const revoked = await cli(['token', 'revoke', token]);
      expect(revoked).toMatchObject({ code: 0 });
      expect(revoked.stdout).toMatch(/^revoked /);
      const refused = await cli(['token', 'verify', token]);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toMatch(/not active: Token is invalid or expired/);
    });

    it('--json prints the API answers', async () => {
      const created = await cli(['token', 'create', '--user', 'bob', '--role', 'VIEWER', '--json']);
      expect(created.code).toBe(0);
      const answer = JSON.parse(created.stdout);
      expect(answer).toMatchObject({ tokenType: 'Bearer', role: 'VIEWER', expiresIn: 3600 });
      const verified = JSON.parse((await cli(['token', 'verify', answer.accessToken, '--json'])).stdout);
      expect(verified).toMatchObject({ active: true, claims: { sub: 'bob', role: 'VIEWER' } });
      const junk = await cli(['token', 'verify', 'junk', '--json']);
      expect(junk.code).toBe(1);
      expect(JSON.parse(junk.stdout)).toEqual({ active: false, error: 'invalid_token', message: 'Token is invalid or expired' });
    });

    it('exit 1 with the code and status when roomkey refuses', async () => {
      const wrong = await cli(['token', 'create', '--user', 'a', '--role', 'HOST'], { ROOMKEY_API_SECRET: 'wrong' });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/unauthorized \(401\)/);
      const bad = await cli(['token', 'create', '--user', 'a', '--role', 'KING', '--json']);
      expect(bad.code).toBe(1);
      expect(JSON.parse(bad.stdout)).toMatchObject({ error: 'invalid_request', status: 400 });
      const unreachable = await cli(['tenants', 'list'], { ROOMKEY_URL: 'http://127.0.0.1:9' });
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toMatch(/unavailable/);
    });
  });

  describe('admin commands', () => {
    it('tenants, api-keys, clients and signing-keys', async () => {
      expect((await cli(['tenants', 'create', 'cli-t', '--name', 'CLI tenant'])).code).toBe(0);
      const got = await cli(['tenants', 'get', 'cli-t']);
      expect(got.stdout).toMatch(/^name\s+CLI tenant$/m);
      const list = await cli(['tenants', 'list']);
      expect(list.stdout).toMatch(/^SHORTCODE\s+NAME\s+ISSUER$/m);
      expect(list.stdout).toMatch(/^cli-t\s+CLI tenant\s+http/m);
      expect((await cli(['tenants', 'create', 'cli-t', '--name', 'again'])).code).toBe(1);

      const created = JSON.parse((await cli(['api-keys', 'create', '--tenant', 'cli-t', '--json'])).stdout);
      expect(created.apiKey).toMatch(/^rk_prod_/);
      const keys = await cli(['api-keys', 'list', '--tenant', 'cli-t']);
      expect(keys.stdout).toContain(created.apiKey);
      const rotated = JSON.parse((await cli(['api-keys', 'rotate', created.apiKey, '--tenant', 'cli-t', '--grace', '0', '--json'])).stdout);
      expect(rotated.secret).not.toBe(created.secret);
      expect((await cli(['api-keys', 'revoke', created.apiKey, '--tenant', 'cli-t'])).code).toBe(0);

      const client = JSON.parse((await cli(['clients', 'create', '--tenant', 'cli-t', '--grant-type', 'client_credentials', '--name', 'svc', '--json'])).stdout);
      expect((await cli(['clients', 'list', '--tenant', 'cli-t'])).stdout).toContain(client.clientId);
      expect((await cli(['clients', 'revoke', client.clientId, '--tenant', 'cli-t'])).code).toBe(0);

      const rotatedKey = await cli(['signing-keys', 'rotate', '--tenant', 'cli-t']);
      expect(rotatedKey.code).toBe(0);
      expect(rotatedKey.stdout).toMatch(/^state\s+active$/m);
      expect((await cli(['signing-keys', 'list', '--tenant', 'cli-t'])).stdout).toMatch(/^KID\s+ALG\s+STATE/m);
      expect((await cli(['tenants', 'get', 'cli-t'], { ROOMKEY_ADMIN_TOKEN: 'rk_admin_wrong' })).stderr).toMatch(/unauthorized \(401\)/);
    });

    it('events tail prints recent events, then new ones as they happen, until SIGTERM', async () => {
      await admin(system).createTenant('tail-t');
      const child = spawn(process.execPath, [bin, 'events', 'tail', '--tenant', 'tail-t', '--json'], { cwd: root, env });
      let out = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      try {
        await eventually(async () => out.includes('"tenant.created"'), 15_000, 50);
        // Give the live feed a moment to open, then make an event.
        await new Promise((resolve) => setTimeout(resolve, 500));
        const created = await admin(system).createApiKey('tail-t');
        await eventually(async () => out.includes(created.apiKey), 15_000, 50);
        const lines = out.trim().split('\n').map((line) => JSON.parse(line));
        expect(lines.map((e) => e.type)).toEqual(expect.arrayContaining(['tenant.created', 'api-key.created']));
      } finally {
        child.kill('SIGTERM');
      }
      const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c)));
      expect(code).toBe(0);
    });

    it('login saves a profile (0600) that later commands use', async () => {
      const profileFile = join(home, 'profiles', 'roomkey.json');
      const saved = await cli(['login', '--profile-name', 'ci'], { ROOMKEY_PROFILE_FILE: profileFile });
      expect(saved.code).toBe(0);
      expect(statSync(profileFile).mode & 0o777).toBe(0o600);
      const bare = { PATH: process.env.PATH, HOME: home, ROOMKEY_PROFILE_FILE: profileFile };
      const token = await run(process.execPath, [bin, 'token', 'create', '--user', 'pat', '--role', 'GUEST', '--profile-name', 'ci'], { env: bare });
      expect(token.code).toBe(0);
      expect((await run(process.execPath, [bin, 'token', 'verify', token.stdout.trim()], { env: { ...bare, ROOMKEY_PROFILE: 'ci' } })).code).toBe(0);
      // Another profile name has nothing: the API key is missing.
      expect((await run(process.execPath, [bin, 'token', 'create', '--user', 'pat', '--role', 'GUEST'], { env: bare })).code).toBe(1);
    });
  });

  describe('README examples', () => {
    let examplesDir: string;
    let examplesEnv: NodeJS.ProcessEnv;

    beforeAll(() => {
      // Inside the repository, so that '@roomkey/sdk' and '@nats-io/transport-node' resolve as for a user of this repo.
      examplesDir = mkdtempSync(join(root, 'packages', 'sdk', '.readme-examples-'));
      const clientJson = join(examplesDir, 'client.json');
      writeFileSync(clientJson, JSON.stringify({ servers: [system.natsUrl], user: users.clientUser, pass: users.clientPassword }), { mode: 0o600 });
      examplesEnv = { ...env, ROOMKEY_NATS_CLIENT: clientJson, npm_config_update_notifier: 'false' };
    });
    afterAll(() => rmSync(examplesDir, { recursive: true, force: true }));

    it('the SDK section runs as written', async () => {
      const blocks = readmeBlocks('SDK').filter((b) => b.lang === 'js');
      expect(blocks.length).toBeGreaterThanOrEqual(9);
      const outputs: string[] = [];
      for (const [i, block] of blocks.entries()) {
        const file = join(examplesDir, `example-${i}.mjs`);
        writeFileSync(file, block.code);
        const result = await run(process.execPath, [file], { env: examplesEnv });
        expect({ block: block.code.split('\n')[0], code: result.code, stderr: result.stderr }).toEqual({ block: block.code.split('\n')[0], code: 0, stderr: expect.any(String) });
        outputs.push(result.stdout);
      }
      const all = outputs.join('\n');
      expect(all).toMatch(/^true alice \[/m);
      expect(all).toMatch(/^invalid_token 401$/m);
      expect(all).toMatch(/active$/m);
      expect(all).toMatch(/^VIEWER$/m);
      expect(all).toMatch(/^true false$/m);
      expect(all).toMatch(/^invalid_token$/m);
      expect(all).toMatch(/^token\.revoked\ninvalid_signature$/m);
      expect(all).toMatch(/^guest Bob\ngone 410$/m);
      expect(all).toMatch(/^true 7200\n\{ active: false \}\nVIEWER \[ 'town-hall' \] true\ninvalid_client 401$/m);
      expect(all).toMatch(/^created\ntrue\nnot_found 404$/m);
    });

    it('the CLI section runs as written', async () => {
      const blocks = readmeBlocks('CLI').filter((b) => b.lang === 'sh');
      expect(blocks).toHaveLength(1);
      const script = join(examplesDir, 'cli.sh');
      writeFileSync(script, blocks[0].code);
      const result = await run('bash', ['-e', script], { env: examplesEnv });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^sub\s+alice$/m);
      expect(result.stdout).toMatch(/^not active: Token is invalid or expired\nexit 1$/m);
      expect(result.stdout).toMatch(/^state\s+active$/m);
      expect(result.stdout).toContain('"shortcode": "cli-demo"');
    });
  });
});

describe('the built package, as a consumer outside the repository sees it', () => {
  let consumer: string;

  beforeAll(() => {
    sdkBuild.build();
    consumer = mkdtempSync(join(tmpdir(), 'roomkey-sdk-consumer-'));
  });
  afterAll(() => rmSync(consumer, { recursive: true, force: true }));

  it('require()s it and its browser entry', async () => {
    const script = `
      const sdk = require(${JSON.stringify(join(root, 'packages', 'sdk'))});
      const browser = require(${JSON.stringify(join(root, 'packages', 'sdk', 'dist', 'token-provider.js'))});
      console.log(Object.keys(sdk).filter((k) => /^[A-Z]|verifyWebhook/.test(k)).sort().join(','));
      console.log(typeof browser.TokenProvider);`;
    const result = await run(process.execPath, ['-e', script], { cwd: consumer, env: { PATH: process.env.PATH } });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('RoomkeyClient');
    expect(result.stdout).toContain('RoomkeyVerifier');
    expect(result.stdout).toContain('TokenProvider');
    expect(result.stdout).toContain('verifyWebhook');
    expect(result.stdout).toMatch(/^function$/m);
    // The browser bundle imports no Node built-in.
    expect(readFileSync(join(root, 'packages', 'sdk', 'dist', 'token-provider.mjs'), 'utf8')).not.toMatch(/node:|require\(/);
  });

  it('type-checks against its .d.ts without TypeBox or the repository’s libs, and the types bite', async () => {
    const types = join(root, 'packages', 'sdk', 'dist');
    const good = `import { RoomkeyClient, RoomkeyVerifier, TokenProvider, verifyWebhook, type CreateAccessTokenBody, type AdminTenant } from ${JSON.stringify(join(root, 'packages', 'sdk'))};
const body: CreateAccessTokenBody = { userId: 'a', role: 'HOST', rooms: ['r1'] };
export async function main(): Promise<string> {
  const client = new RoomkeyClient({ url: 'http://127.0.0.1:8080', apiKey: 'k', apiSecret: 's', adminToken: 't' });
  const created = await client.createAccessToken(body);
  const tenant: AdminTenant = await client.admin.tenants.get('demo');
  const verifier = new RoomkeyVerifier({ url: 'http://127.0.0.1:8080', tenant: tenant.shortcode });
  const claims = await verifier.verify(created.accessToken);
  new TokenProvider({ loader: async () => created.accessToken }).stop();
  verifyWebhook('{}', {}, 'whsec_x');
  const invite = await client.createInvite(created.accessToken, { role: 'GUEST', maxUses: 2 });
  const guest = await client.redeemInvite(invite.inviteCode, { name: 'g' });
  const login = await client.loginRequests.get('challenge');
  const { redirectTo } = await client.loginRequests.reject(login.challenge, { error: 'access_denied' });
  const tokens = await client.oauth.clientCredentials({ tenant: 'demo', clientId: 'c', clientSecret: 's', scope: 'rooms:read' });
  const introspected = await client.oauth.introspect({ tenant: 'demo', clientId: 'c', clientSecret: 's', token: tokens.access_token });
  return claims.sub + created.permissions.join(',') + String(verifier.can(claims, 'webrtc:join', 'r1')) + guest.user.id + redirectTo + String(introspected.active);
}
`;
    const bad = `import { RoomkeyClient } from ${JSON.stringify(join(root, 'packages', 'sdk'))};
export const p = new RoomkeyClient({ url: 'x' }).createAccessToken({ userId: 'a', role: 'KING' });
export const q = new RoomkeyClient({ url: 'x' }).loginRequests.reject('c', { error: 'nope' });
`;
    mkdirSync(join(consumer, 'src'), { recursive: true });
    writeFileSync(join(consumer, 'src', 'good.ts'), good);
    writeFileSync(join(consumer, 'bad.ts'), bad);
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const flags = ['--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022', '--lib', 'es2024,dom', '--typeRoots', join(root, 'node_modules', '@types'), '--types', 'node'];
    const ok = await run(process.execPath, [tsc, ...flags, join(consumer, 'src', 'good.ts')], { cwd: consumer });
    expect(ok.stdout).toBe('');
    expect(ok.code).toBe(0);
    const refused = await run(process.execPath, [tsc, ...flags, join(consumer, 'bad.ts')], { cwd: consumer });
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toMatch(/"KING"/);
    expect(refused.stdout).toMatch(/"nope"/);
    // Nothing in the declarations reaches for TypeBox or the repository's path aliases.
    const declarations = await run('grep', ['-rlE', `(from|import\\()[[:space:]]*['"][^'"]*(typebox|@roomkey/|libs/contracts|libs/errors)`, join(types, 'types')]);
    expect(declarations).toMatchObject({ stdout: '', code: 1 });
  });
});
