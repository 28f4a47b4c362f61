/**
 * The `roomkey` CLI (contract §8). Credentials from flags, else the environment (ROOMKEY_URL,
 * ROOMKEY_API_KEY, ROOMKEY_API_SECRET, ROOMKEY_ADMIN_TOKEN), else a profile file written by
 * `roomkey login` (ROOMKEY_PROFILE_FILE, default ~/.config/roomkey/profile.json, mode 0600).
 * Tables for people, JSON with --json. Exit codes: 0 done (token verify: active), 1 refused or
 * failed (token verify: not active), 2 bad usage.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { RoomkeyClient } from './client';
import type { CreateAccessTokenBody, CreateClientBody, CreateTenantBody } from './contract-types';
import { RoomkeyError } from './errors';
import { errorFromAnswer } from './http';
import { readEventStream, SseParser } from './sse';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const USAGE = `usage: roomkey <command> [options]
  token create --user U --role R [--room ID]… [--ttl S] [--name N] [--metadata JSON] [--profile livekit|getstream|videosdk]
  token verify TOKEN                     exit 0 when active, 1 when not
  token revoke TOKEN | --jti JTI
  tenants list [--limit N] [--cursor C] | create SHORTCODE --name N [--login-url U] [--guest-access] [--anonymous-access] | get T | delete T
  api-keys create|list|rotate KEY [--grace S]|revoke KEY --tenant T [--environment production|development] [--name N]
  clients create|list|get ID|revoke ID|rotate-secret ID --tenant T [--grant-type G]… [--redirect-uri U]… [--audience A]… [--scope S]… [--public]
  signing-keys rotate|list --tenant T
  events tail --tenant T [--interval MS]
  login [--profile-name P]               save --url/--api-key/--api-secret/--admin-token (or ROOMKEY_*) to the profile file
options: --url, --api-key, --api-secret, --admin-token (or ROOMKEY_URL, ROOMKEY_API_KEY, ROOMKEY_API_SECRET, ROOMKEY_ADMIN_TOKEN),
         --profile-name P (ROOMKEY_PROFILE, default "default"), --json`;

const OPTIONS = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  'api-secret': { type: 'string' },
  'admin-token': { type: 'string' },
  'profile-name': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  user: { type: 'string' },
  role: { type: 'string' },
  room: { type: 'string', multiple: true },
  ttl: { type: 'string' },
  name: { type: 'string' },
  image: { type: 'string' },
  metadata: { type: 'string' },
  profile: { type: 'string' },
  jti: { type: 'string' },
  tenant: { type: 'string' },
  environment: { type: 'string' },
  grace: { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  'login-url': { type: 'string' },
  'guest-access': { type: 'boolean' },
  'anonymous-access': { type: 'boolean' },
  'grant-type': { type: 'string', multiple: true },
  'redirect-uri': { type: 'string', multiple: true },
  audience: { type: 'string', multiple: true },
  scope: { type: 'string', multiple: true },
  public: { type: 'boolean' },
  interval: { type: 'string' },
} as const;

type Flags = ReturnType<typeof parse>['values'];

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

export class UsageError extends Error {}

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

interface Profile {
  url?: string;
  apiKey?: string;
  apiSecret?: string;
  adminToken?: string;
}

export function profileFile(env: NodeJS.ProcessEnv): string {
  return env.ROOMKEY_PROFILE_FILE || join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'roomkey', 'profile.json');
}

function readProfiles(file: string): Record<string, Profile> {
  if (!existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { profiles?: Record<string, Profile> };
    return parsed.profiles ?? {};
  } catch {
    throw new UsageError(`the profile file ${file} is not valid JSON`);
  }
}

function settings(flags: Flags, env: NodeJS.ProcessEnv): Required<Pick<Profile, 'url'>> & Profile & { profileName: string } {
  const profileName = flags['profile-name'] ?? env.ROOMKEY_PROFILE ?? 'default';
  const saved = readProfiles(profileFile(env))[profileName] ?? {};
  return {
    profileName,
    url: flags.url ?? env.ROOMKEY_URL ?? saved.url ?? 'http://127.0.0.1:8080',
    apiKey: flags['api-key'] ?? env.ROOMKEY_API_KEY ?? saved.apiKey,
    apiSecret: flags['api-secret'] ?? env.ROOMKEY_API_SECRET ?? saved.apiSecret,
    adminToken: flags['admin-token'] ?? env.ROOMKEY_ADMIN_TOKEN ?? saved.adminToken,
  };
}

function integer(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${flag} must be a whole number`);
  return Number(value);
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === '') throw new UsageError(`${what} is required`);
  return value;
}

/** Columns for people: one header line, then one line per row. */
export function table(rows: Record<string, unknown>[], columns: string[]): string {
  const cell = (value: unknown) => (value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n');
}

function fields(object: Record<string, unknown>): string {
  const width = Math.max(...Object.keys(object).map((k) => k.length));
  return Object.entries(object)
    .map(([key, value]) => `${key.padEnd(width)}  ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`)
    .join('\n');
}

/** Runs one command; resolves with the exit code. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`roomkey: ${error instanceof Error ? error.message : String(error)}`);
    io.err(USAGE.split('\n')[0]);
    return EXIT.usage;
  }
  const { values: flags, positionals } = parsed;
  if (flags.help || positionals.length === 0) {
    (flags.help ? io.out : io.err)(USAGE);
    return flags.help ? EXIT.ok : EXIT.usage;
  }
  const json = flags.json === true;
  const print = (value: unknown, human: () => string) => io.out(json ? JSON.stringify(value, null, 2) : human());
  try {
    const config = settings(flags, io.env);
    const client = new RoomkeyClient({ url: config.url, apiKey: config.apiKey, apiSecret: config.apiSecret, adminToken: config.adminToken });
    const [group, action, ...rest] = positionals;
    const tenant = () => required(flags.tenant, '--tenant');
    const arg = (what: string) => required(rest[0], what);
    const command = `${group} ${action ?? ''}`.trim();

    switch (command) {
      case 'token create': {
        let metadata: Record<string, unknown> | undefined;
        if (flags.metadata !== undefined) {
          try {
            metadata = JSON.parse(flags.metadata) as Record<string, unknown>;
          } catch {
            throw new UsageError('--metadata must be a JSON object');
          }
        }
        const body = {
          userId: required(flags.user, '--user'),
          role: required(flags.role, '--role'),
          ...(flags.room ? { rooms: flags.room } : {}),
          ...(flags.ttl !== undefined ? { ttlSeconds: integer(flags.ttl, 'ttl') } : {}),
          ...(flags.name !== undefined ? { name: flags.name } : {}),
          ...(flags.image !== undefined ? { image: flags.image } : {}),
          ...(metadata !== undefined ? { metadata } : {}),
          ...(flags.profile !== undefined ? { profile: flags.profile } : {}),
        } as CreateAccessTokenBody;
        const answer = await client.createAccessToken(body);
        print(answer, () => answer.accessToken);
        return EXIT.ok;
      }
      case 'token verify': {
        const token = arg('TOKEN');
        try {
          const answer = await client.verifyToken(token);
          print(answer, () => fields(answer.claims as unknown as Record<string, unknown>));
          return EXIT.ok;
        } catch (error) {
          if (!(error instanceof RoomkeyError) || error.code !== 'invalid_token') throw error;
          print({ active: false, error: error.code, message: error.message }, () => `not active: ${error.message}`);
          return EXIT.failed;
        }
      }
      case 'token revoke': {
        const which = flags.jti !== undefined ? { jti: flags.jti } : { token: arg('TOKEN (or --jti)') };
        const answer = await client.revokeToken(which);
        print(answer, () => `revoked ${answer.jti}`);
        return EXIT.ok;
      }
      case 'tenants list': {
        const page = await client.admin.tenants.list({ limit: integer(flags.limit, 'limit'), cursor: flags.cursor });
        print(page, () => table(page.items, ['shortcode', 'name', 'issuer']) + (page.nextCursor ? `\nnext page: --cursor ${page.nextCursor}` : ''));
        return EXIT.ok;
      }
      case 'tenants create': {
        const body: CreateTenantBody = {
          shortcode: arg('SHORTCODE'),
          name: required(flags.name, '--name'),
          ...(flags['login-url'] !== undefined ? { loginUrl: flags['login-url'] } : {}),
          ...(flags['guest-access'] ? { guestAccess: true } : {}),
          ...(flags['anonymous-access'] ? { anonymousAccess: true } : {}),
        };
        const created = await client.admin.tenants.create(body);
        print(created, () => fields(created));
        return EXIT.ok;
      }
      case 'tenants get': {
        const found = await client.admin.tenants.get(arg('TENANT'));
        print(found, () => fields(found));
        return EXIT.ok;
      }
      case 'tenants delete': {
        const shortcode = arg('TENANT');
        await client.admin.tenants.delete(shortcode);
        print({ deleted: shortcode }, () => `deleted ${shortcode}`);
        return EXIT.ok;
      }
      case 'api-keys create': {
        const environment = (flags.environment ?? 'production') as 'production' | 'development';
        const created = await client.admin.apiKeys.create(tenant(), { environment, ...(flags.name !== undefined ? { name: flags.name } : {}) });
        print(created, () => fields(created));
        return EXIT.ok;
      }
      case 'api-keys list': {
        const keys = await client.admin.apiKeys.list(tenant());
        print(keys, () => table(keys.items, ['apiKey', 'environment', 'name', 'createdAt', 'revokedAt', 'lastUsedAt']));
        return EXIT.ok;
      }
      case 'api-keys rotate': {
        const rotated = await client.admin.apiKeys.rotate(tenant(), arg('API_KEY'), flags.grace !== undefined ? { graceSeconds: integer(flags.grace, 'grace') } : {});
        print(rotated, () => fields(rotated));
        return EXIT.ok;
      }
      case 'api-keys revoke': {
        const apiKey = arg('API_KEY');
        await client.admin.apiKeys.revoke(tenant(), apiKey);
        print({ revoked: apiKey }, () => `revoked ${apiKey}`);
        return EXIT.ok;
      }
      case 'clients create': {
        const body = {
          grantTypes: required(flags['grant-type'], '--grant-type'),
          ...(flags.name !== undefined ? { name: flags.name } : {}),
          ...(flags['redirect-uri'] ? { redirectUris: flags['redirect-uri'] } : {}),
          ...(flags.audience ? { audiences: flags.audience } : {}),
          ...(flags.scope ? { scopes: flags.scope } : {}),
          ...(flags.public ? { public: true } : {}),
        } as CreateClientBody;
        const created = await client.admin.clients.create(tenant(), body);
        print(created, () => fields(created));
        return EXIT.ok;
      }
      case 'clients list': {
        const clients = await client.admin.clients.list(tenant());
        print(clients, () => table(clients.items, ['clientId', 'name', 'grantTypes', 'public']));
        return EXIT.ok;
      }
      case 'clients get': {
        const found = await client.admin.clients.get(tenant(), arg('CLIENT_ID'));
        print(found, () => fields(found));
        return EXIT.ok;
      }
      case 'clients revoke': {
        const clientId = arg('CLIENT_ID');
        await client.admin.clients.revoke(tenant(), clientId);
        print({ revoked: clientId }, () => `revoked ${clientId}`);
        return EXIT.ok;
      }
      case 'clients rotate-secret': {
        const rotated = await client.admin.clients.rotateSecret(tenant(), arg('CLIENT_ID'), flags.grace !== undefined ? { graceSeconds: integer(flags.grace, 'grace') } : {});
        print(rotated, () => fields(rotated));
        return EXIT.ok;
      }
      case 'signing-keys rotate': {
        const key = await client.admin.signingKeys.rotate(tenant());
        print(key, () => fields({ kid: key.kid, alg: key.alg, state: key.state, createdAt: key.createdAt }));
        return EXIT.ok;
      }
      case 'signing-keys list': {
        const keys = await client.admin.signingKeys.list(tenant());
        print(keys, () => table(keys.items, ['kid', 'alg', 'state', 'createdAt']));
        return EXIT.ok;
      }
      case 'events tail':
        return await tailEvents(client, config, tenant(), integer(flags.interval, 'interval') ?? 1000, json, io);
      case 'login': {
        const file = profileFile(io.env);
        const profiles = readProfiles(file);
        profiles[config.profileName] = { url: config.url, apiKey: config.apiKey, apiSecret: config.apiSecret, adminToken: config.adminToken };
        mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
        writeFileSync(file, `${JSON.stringify({ profiles }, null, 2)}\n`, { mode: 0o600 });
        chmodSync(file, 0o600);
        print({ profile: config.profileName, file }, () => `saved profile "${config.profileName}" to ${file}`);
        return EXIT.ok;
      }
      default:
        throw new UsageError(`unknown command "${positionals.join(' ')}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`roomkey: ${error.message}`);
      io.err(USAGE.split('\n')[0]);
      return EXIT.usage;
    }
    if (error instanceof RoomkeyError) {
      if (json) io.out(JSON.stringify({ error: error.code, status: error.status, message: error.message }, null, 2));
      io.err(`roomkey: ${error.code} (${error.status}): ${error.message}`);
      return EXIT.failed;
    }
    io.err(`roomkey: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.failed;
  }
}

/**
 * Follows the tenant's admin events: the latest page first (oldest first), then the live feed
 * (`GET /admin/tenants/{t}/events` with `Accept: text/event-stream`, resumed with Last-Event-ID
 * after a drop). A server without the feed (JSON answer) is polled every `intervalMs` instead.
 */
async function tailEvents(client: RoomkeyClient, settings: { url: string; adminToken?: string }, tenant: string, intervalMs: number, json: boolean, io: CliIo): Promise<number> {
  const seen = new Set<string>();
  const show = (event: Record<string, unknown>) => {
    if (typeof event.id === 'string') {
      if (seen.has(event.id)) return;
      seen.add(event.id);
    }
    if (json) return io.out(JSON.stringify(event));
    const { id: _id, type, time, occurredAt, actor, tenant: _tenant, ...rest } = event;
    io.out(`${String(time ?? occurredAt)}  ${String(type).padEnd(22)}  ${actor === null || actor === undefined ? '-' : String(actor)}  ${JSON.stringify(rest)}`);
  };
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const pause = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    stop.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
  try {
    const page = await client.admin.events.list(tenant, { limit: 50 });
    for (const event of [...page.items].reverse()) show(event);
    let lastEventId: string | undefined;
    let failures = 0;
    while (!stop.signal.aborted) {
      const headers: Record<string, string> = { accept: 'text/event-stream', authorization: `Bearer ${settings.adminToken ?? ''}` };
      if (lastEventId) headers['last-event-id'] = lastEventId;
      let response: Response | undefined;
      try {
        response = await fetch(`${settings.url.replace(/\/+$/, '')}/admin/tenants/${encodeURIComponent(tenant)}/events`, { headers, signal: stop.signal });
      } catch (error) {
        if (stop.signal.aborted) break;
        io.err(`roomkey: events feed unreachable (${error instanceof Error ? error.message : String(error)}); retrying`);
      }
      if (response && !response.ok) {
        const error = errorFromAnswer(response.status, await response.json().catch(() => undefined), response.headers.get('retry-after'));
        if (response.status !== 429 && response.status !== 503) throw error;
      } else if (response && response.body && (response.headers.get('content-type') ?? '').includes('text/event-stream')) {
        failures = 0;
        const parser = new SseParser((event) => {
          lastEventId = event.id ?? lastEventId;
          try {
            show(JSON.parse(event.data) as Record<string, unknown>);
          } catch {
            // not an event: ignore
          }
        });
        await readEventStream(response.body, parser, stop.signal).catch(() => undefined);
        continue;
      } else if (response) {
        // No live feed on this server: poll the JSON pages from now on.
        await response.body?.cancel().catch(() => undefined);
        while (!stop.signal.aborted) {
          await pause(intervalMs);
          if (stop.signal.aborted) break;
          const next = await client.admin.events.list(tenant, { limit: 200 });
          for (const event of [...next.items].reverse()) show(event);
        }
        break;
      }
      await pause(Math.min(500 * 2 ** failures++, 10_000));
    }
    return EXIT.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The bin's entry. */
export function main(): void {
  run(process.argv.slice(2), { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`), env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`roomkey: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}
