/**
 * GET /metrics: every service's figures (keys, two issuers, identity, gateway) in one exposition,
 * with `service` and `instance` labels, the right counts after some traffic, and a valid text
 * format (promtool when installed, else a strict line grammar).
 */
import { spawnSync } from 'node:child_process';
import { decodeJwt } from 'jose';
import { admin, eventually, http, startSystem, testDatabases, type RoomkeySystem } from './support/harness';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Exposition {
  text: string;
  samples: Sample[];
  /** family name → TYPE */
  types: Map<string, string>;
}

const METRIC_NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\["\\\\n])*"';
const SAMPLE_LINE = new RegExp(`^(${METRIC_NAME})(?:\\{(${LABEL}(?:,${LABEL})*)?\\})? (\\S+)$`);
const HELP_LINE = new RegExp(`^# HELP (${METRIC_NAME}) .*$`);
const TYPE_LINE = new RegExp(`^# TYPE (${METRIC_NAME}) (counter|gauge|histogram|summary|untyped)$`);
const VALUE = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|[+-]?Inf|NaN)$/;

/** Parses a text exposition strictly: every line a HELP, TYPE or sample; HELP and TYPE once per family, before its samples. */
function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const problems: string[] = [];
  const seenSamples = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let match: RegExpExecArray | null;
    if ((match = HELP_LINE.exec(line))) {
      if (helps.has(match[1])) problems.push(`HELP twice: ${match[1]}`);
      helps.add(match[1]);
    } else if ((match = TYPE_LINE.exec(line))) {
      if (types.has(match[1])) problems.push(`TYPE twice: ${match[1]}`);
      types.set(match[1], match[2]);
    } else if ((match = SAMPLE_LINE.exec(line))) {
      const [, name, labelText = '', value] = match;
      if (!VALUE.test(value)) problems.push(`bad value: ${line}`);
      const family = [...types.keys()].find((f) => name === f || (types.get(f) === 'histogram' && /^(.*)_(bucket|sum|count)$/.exec(name)?.[1] === f));
      if (!family) problems.push(`sample before its TYPE: ${line}`);
      if (seenSamples.has(`${name}{${labelText}}`)) problems.push(`sample twice: ${line}`);
      seenSamples.add(`${name}{${labelText}}`);
      const labels: Record<string, string> = {};
      for (const [, key, raw] of labelText.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key] = raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      samples.push({ name, labels, value: Number(value) });
    } else {
      problems.push(`not a line of the text format: ${line}`);
    }
  }
  expect(problems).toEqual([]);
  return { text, samples, types };
}

/** Sum of the samples named `name` whose labels include `labels`. */
function total(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  return exposition.samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

function instancesOf(exposition: Exposition, service: string): Set<string> {
  return new Set(exposition.samples.filter((s) => s.labels.service === service).map((s) => s.labels.instance));
}

describe.each(testDatabases())('metrics from every service (%s)', (database) => {
  let system: RoomkeySystem;
  let key: { apiKey: string; secret: string };

  beforeAll(async () => {
    system = await startSystem({ database, issuers: 2, authFailuresPerIdentifier: 3, authFailuresPerAddress: 1000 });
    await admin(system).createTenant('metrics');
    key = await admin(system).createApiKey('metrics');
  });

  afterAll(async () => {
    await system?.stop();
  });

  const scrape = async (): Promise<Exposition> => {
    const answer = await http<string>(system, 'GET', '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    return parseExposition(answer.body);
  };

  it('counts tokens, verifications, failed authentications, 429s, NATS latency, caches, revocations and keys, from every service', async () => {
    // Two issuers, identity and keys answer the collect subject; a scrape waits for all of them.
    await eventually(async () => instancesOf(await scrape(), 'issuer').size === 2, 5000);
    const before = await scrape();

    // Three user tokens (CreateAccessToken), one guest token (identity → issuer mint).
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) {
      const answer = await http(system, 'POST', '/v1/access-tokens', { body: { userId: `user-${i}`, role: 'HOST' }, basic: key });
      expect(answer.status).toBe(201);
      tokens.push(answer.body.accessToken);
    }
    expect((await http(system, 'POST', '/v1/guests', { body: { name: 'Guest' }, basic: key })).status).toBe(201);
    // Guest access is off for the tenant: identity refuses the API key alone (403).
    expect((await http(system, 'POST', '/v1/guests', { body: {}, headers: { 'x-api-key': key.apiKey } })).status).toBe(403);

    // Wrong secrets until the identifier's limit (3 failures) answers 429.
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await http(system, 'POST', '/v1/access-tokens', { body: { userId: 'x', role: 'HOST' }, basic: { apiKey: key.apiKey, secret: 'wrong' } })).status);
    }
    expect(statuses.slice(0, 2)).toEqual([401, 401]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    const rateLimited = statuses.filter((s) => s === 429).length;

    // Verifications: a valid token, a tampered one; then the token is revoked (by jti) and verified again.
    const verify = (token: string) => http(system, 'POST', '/v1/tokens/verify', { body: { token }, basic: key });
    expect((await verify(tokens[0])).status).toBe(200);
    const tampered = `${tokens[1].slice(0, -4)}${tokens[1].slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    expect((await verify(tampered)).status).toBe(401);
    expect((await http(system, 'POST', '/v1/tokens/revoke', { body: { jti: decodeJwt(tokens[2]).jti }, basic: key })).status).toBe(200);
    let validAfterRevoke = 0;
    let revokedAnswers = 0;
    await eventually(async () => {
      const status = (await verify(tokens[2])).status;
      if (status === 200) validAfterRevoke++;
      else revokedAnswers++;
      return status === 401;
    }, 3000);

    // Every issuer replica holds the revocation (one entry each).
    let after = await scrape();
    await eventually(async () => {
      after = await scrape();
      return [...instancesOf(after, 'issuer')].every((instance) => total(after, 'roomkey_revocation_list_entries', { service: 'issuer', instance }) === 1);
    }, 3000);
    const delta = (name: string, labels: Record<string, string> = {}) => total(after, name, labels) - total(before, name, labels);

    // Every service, with its instances: two issuers.
    for (const service of ['keys', 'issuer', 'identity', 'gateway']) {
      expect({ service, present: instancesOf(after, service).size > 0 }).toEqual({ service, present: true });
      expect(total(after, 'process_start_time_seconds', { service })).toBeGreaterThan(0);
    }
    expect(instancesOf(after, 'issuer').size).toBe(2);
    expect(instancesOf(after, 'keys').size).toBe(1);
    for (const s of after.samples) expect(s.labels.instance).toMatch(/^[0-9a-f]{12}$/);

    // Tokens by kind and grant (the issuer's one token builder).
    expect(delta('roomkey_tokens_issued_total', { service: 'issuer', kind: 'user', grant: 'api_key' })).toBe(3);
    expect(delta('roomkey_tokens_issued_total', { service: 'issuer', kind: 'guest', grant: 'mint' })).toBe(1);
    expect(delta('roomkey_tokens_issued_total')).toBe(4);

    // Verifications by result.
    expect(delta('roomkey_token_verifications_total', { service: 'issuer', result: 'valid' })).toBe(1 + validAfterRevoke);
    expect(delta('roomkey_token_verifications_total', { service: 'issuer', result: 'invalid' })).toBe(1);
    expect(delta('roomkey_token_verifications_total', { service: 'issuer', result: 'revoked' })).toBe(revokedAnswers);

    // Failed authentications and 429s: the issuer's brute-force limit, identity's key-only switch.
    expect(delta('roomkey_authentication_failures_total', { service: 'issuer', scope: 'api_key', reason: 'invalid_credentials' })).toBe(5);
    expect(delta('roomkey_rate_limited_total', { service: 'issuer', limit: 'authentication_failures' })).toBe(rateLimited);
    expect(delta('roomkey_authentication_failures_total', { service: 'identity', scope: 'api_key', reason: 'guest_access_off' })).toBe(1);

    // NATS request latency per subject: the gateway's CreateAccessToken requests, identity's mint.
    expect(after.types.get('roomkey_nats_request_duration_seconds')).toBe('histogram');
    expect(delta('roomkey_nats_request_duration_seconds_count', { service: 'gateway', subject: 'roomkey.v1.tokens.create' })).toBe(8);
    expect(delta('roomkey_nats_request_duration_seconds_bucket', { service: 'gateway', subject: 'roomkey.v1.tokens.create', le: '+Inf' })).toBe(8);
    expect(delta('roomkey_nats_request_duration_seconds_count', { service: 'identity', subject: 'roomkey.internal.issuer.tokens.mint' })).toBe(1);

    // Caches: every lookup of the API key after the first is a hit.
    expect(delta('roomkey_cache_lookups_total', { service: 'issuer', cache: 'credentials', result: 'hit' })).toBeGreaterThanOrEqual(8);
    expect(total(after, 'roomkey_cache_lookups_total', { service: 'issuer', cache: 'keyrings', result: 'miss' })).toBeGreaterThanOrEqual(1);
    expect(after.types.get('roomkey_cache_lookups_total')).toBe('counter');

    // Signing keys by state (the keys service): the tenant's one active key.
    expect(total(after, 'roomkey_signing_keys', { service: 'keys', state: 'active' })).toBe(1);
    expect(total(after, 'roomkey_signing_keys', { service: 'keys', state: 'revoked' })).toBe(0);

    // Event publish failures: present in every service that publishes, none here.
    for (const service of ['keys', 'issuer', 'identity']) {
      expect(after.text).toContain('# TYPE roomkey_event_publish_failures_total counter');
      expect(total(after, 'roomkey_event_publish_failures_total', { service })).toBe(0);
    }

    // The gateway's HTTP figures keep their names and labels.
    expect(delta('roomkey_http_requests_total', { service: 'gateway', method: 'POST', route: '/v1/access-tokens', status: '429' })).toBe(rateLimited);
  });

  it('is a valid exposition: promtool check metrics (when installed) finds no error', async () => {
    const { text } = await scrape();
    const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
    if (promtool.error) return; // not installed: the strict parse above stands
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    // Exit 0: clean; 3: lint remarks only (naming advice); 1: the exposition does not parse.
    expect({ status: check.status, output: `${check.stdout}${check.stderr}` }).toEqual({ status: 0, output: '' });
  });

  it('waits a bounded time for the replicas to answer', async () => {
    const started = Date.now();
    await scrape();
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
