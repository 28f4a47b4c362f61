/**
 * A generated bad-input corpus (fast-check) over every HTTP route (API_ROUTES, the table the
 * OpenAPI document is built from), unknown routes, raw malformed HTTP, and every public NATS
 * subject, against the real system (private NATS, SQLite, 127.0.0.1). For every case: no answer
 * ≥ 500, the contract's error shape (§4 `{error, message}`, RFC 6749 `{error, error_description}`
 * at OAuth endpoints; §5 `{ok:false, error, message}` over NATS, never `internal_error`), an
 * `X-Request-Id` on every HTTP answer, and the data unchanged afterwards.
 *
 * `ROOMKEY_FUZZ_SEED` replays a run; the seed is printed with the case count.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { API_ROUTES, type ApiRoute } from '../apps/gateway/docs/api-routes';
import { admin, eventually, http, startSystem, type RoomkeySystem } from './support/harness';

const CONTRACT_CODES = new Set(['invalid_request', 'unauthorized', 'invalid_token', 'forbidden', 'not_found', 'conflict', 'gone', 'payload_too_large', 'rate_limited', 'unavailable']);
const OAUTH_CODES = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'access_denied',
  'payload_too_large',
  'rate_limited',
  'unavailable',
]);
const OAUTH_ENDPOINT = /^\/(?:realms\/[^/?]+\/protocol\/openid-connect\/(?:token(?:\/introspect)?|revoke)|oauth\/token)\/?(?:\?|$)/;
const PUBLIC_SUBJECTS = ['roomkey.v1.tokens.create', 'roomkey.v1.tokens.verify', 'roomkey.v1.guests.create', 'roomkey.v1.anonymous.create'];

const HTTP_CASES = 1_300;
const RAW_CASES = 60;
const NATS_CASES = 400;
const CONCURRENCY = 8;

interface Known {
  apiKey: string;
  secret: string;
  clientId: string;
  clientSecret: string;
  token: string;
}

interface HttpCase {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  what: string;
}

interface NatsCase {
  subject: string;
  body: Uint8Array;
  what: string;
}

// ------------------------------------------------------------------ generators

const encoder = new TextEncoder();
const nest = (open: string, close: string, depth: number, inner = '1') => open.repeat(depth) + inner + close.repeat(depth);

/** Text that is not JSON, or JSON the contract refuses (too deep, too large, not an object). */
const brokenJson: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 3 }).map((text) => text.slice(0, Math.max(0, text.length - 1))),
  fc.constantFrom(
    '{',
    '{"a":',
    '{"a":1,}',
    "{'a':1}",
    'NaN',
    '[1,2',
    '\u0000',
    '{"a":"\\x"}',
    '{"a":"\\ud800"}',
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"admin":true}}}',
    '\ufeff{}',
    '1',
    '"text"',
    'null',
    'true',
    '[]',
    '{}',
    '',
    ' ',
    '1e999999',
    '{"userId":1e999}',
  ),
  fc.tuple(fc.integer({ min: 60, max: 6_000 }), fc.constantFrom(['[', ']'], ['{"a":', '}'], ['[{"a":', '}]'])).map(([depth, [open, close]]) => nest(open, close, depth)),
  fc.integer({ min: 8_000, max: 40_000 }).map((n) => JSON.stringify({ userId: 'x'.repeat(n), rooms: ['r'] })),
  fc.integer({ min: 2_000, max: 6_000 }).map((n) => JSON.stringify({ rooms: Array.from({ length: n }, (_, i) => `r${i}`) })),
);

/** A JSON value that may hold odd unicode, control characters and lone surrogates. */
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
  fc.constantFrom('\ud800', '\udfff', 'a\u0000b', '\u202e', '\u200b', 'ｅｘａｍｐｌｅ', '../../etc/passwd', '%00', "'; DROP TABLE tenants; --", -1, 0, 1e308, -0, 2 ** 53 + 1, 1.5, [], {}, null, true),
  fc.integer({ min: 300, max: 9_000 }).map((n) => 'x'.repeat(n)),
);

/** An object with a route's own field names (and strangers) holding values of the wrong kind. */
const wrongTypes = (fields: string[]): fc.Arbitrary<string> =>
  fc
    .tuple(fc.dictionary(fc.constantFrom(...fields, 'apiKey', 'secret', 'token', 'extra'), oddValue, { maxKeys: 6 }), fc.boolean())
    .map(([body, stranger]) => JSON.stringify(stranger ? { ...body, '\u0007stranger': 1 } : body));

/** Always refused by validation (an unknown field or no JSON object): safe to send with real credentials. */
const invalidBody = (fields: string[]): fc.Arbitrary<string | Uint8Array> =>
  fc.oneof(
    brokenJson.filter((text) => text.trim() !== '{}'),
    fc.dictionary(fc.constantFrom(...fields), oddValue, { maxKeys: 5 }).map((body) => JSON.stringify({ ...body, '\u0007stranger': 1 })),
    fc.uint8Array({ maxLength: 2_048 }),
  );

const anyBody = (fields: string[]): fc.Arbitrary<string | Uint8Array | undefined> =>
  fc.oneof(
    { weight: 3, arbitrary: brokenJson },
    { weight: 3, arbitrary: wrongTypes(fields) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 2_048 }) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 16_000, maxLength: 20_000 }) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.constantFrom('a=%zz&b', 'grant_type=client_credentials&client_id=%ff', 'grant_type[]=x&grant_type=y', '=&=&&', 'token=a&token=b', '%', 'a'.repeat(20_000)),
        fc.dictionary(fc.constantFrom(...fields, 'grant_type', 'client_id', 'client_secret', 'token'), fc.string({ unit: 'binary', maxLength: 80 }), { maxKeys: 6 }).map((params) => new URLSearchParams(params as Record<string, string>).toString()),
      ),
    },
  );

const contentType: fc.Arbitrary<string | undefined> = fc.constantFrom(
  undefined,
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/merge-patch+json',
  'application/octet-stream',
  'garbage/;;;',
  '',
  ';',
);

/** What fetch lets through in a header value (no control characters, no DEL; Latin-1 above it). The raw cases send the rest. */
const printable = fc.string({ unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff })).map((c) => String.fromCharCode(c)), maxLength: 120 });
const b64 = (text: string) => Buffer.from(text, 'latin1').toString('base64');

/** Credentials that never authenticate (well-formed or not). */
const badAuthorization = (known: Known): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    fc.constant(undefined),
    printable.map((text) => `Basic ${text}`),
    printable.map((text) => `Basic ${b64(text)}`),
    printable.map((secret) => `Basic ${b64(`${known.apiKey}:${secret}x`)}`),
    printable.map((secret) => `Basic ${b64(`${known.clientId}:${secret}x`)}`),
    printable.map((text) => `Bearer ${text}`),
    fc.constantFrom('Basic', 'Bearer', 'Basic ', 'Bearer ', 'Basic ===', 'Basic Og==', 'Basic YTo=', 'Digest x', 'Bearer a.b.c', `Bearer ${'x'.repeat(9_000)}`, `Basic ${'A'.repeat(12_000)}`),
    fc.constant(`Bearer ${known.token}`),
    fc.constant(`Bearer ${known.token}==`),
  );

/** A path parameter that is malformed, over-long or names nothing. */
const badSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('%ff%fe', '%', '%zz', '%00', '%0a', '%0d%0a', '..', '%2e%2e', '%2F', 'a%20b', '%u0041', '%C0%AF', '%E2%80%AE', '%F0%9F%99%82', '-', '_', 'ACME', 'null', 'undefined', '__proto__', 'constructor'),
  fc.integer({ min: 64, max: 3_000 }).map((n) => 'a'.repeat(n)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).map(encodeURIComponent),
  fc.uint8Array({ minLength: 1, maxLength: 20 }).map((bytes) => Array.from(bytes, (b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
  fc.stringMatching(/^[A-Za-z0-9._~-]{1,40}$/),
);

const junkQuery: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc.constantFrom('?limit=-1', '?limit=abc', '?limit=1e9', '?cursor=%ff', '?cursor=' + 'z'.repeat(5_000), '?a=%zz', '?&&&=', '?limit=1&limit=2', '?response_type=code&client_id=%00', '?redirect_uri=javascript:alert(1)'),
  fc.dictionary(fc.constantFrom('limit', 'cursor', 'client_id', 'redirect_uri', 'response_type', 'code_challenge', 'code_challenge_method', 'state', 'scope'), fc.string({ unit: 'binary', maxLength: 60 }), { maxKeys: 6 }).map((q) => `?${new URLSearchParams(q as Record<string, string>).toString()}`),
);

function fieldsOf(route: ApiRoute): string[] {
  const schema = route.request?.schema as { properties?: Record<string, unknown>; anyOf?: Array<{ properties?: Record<string, unknown> }> } | undefined;
  const names = new Set<string>(Object.keys(schema?.properties ?? {}));
  for (const branch of schema?.anyOf ?? []) for (const name of Object.keys(branch.properties ?? {})) names.add(name);
  return names.size > 0 ? [...names] : ['name', 'token', 'userId'];
}

function validAuthorization(route: ApiRoute, known: Known, adminToken: string): string | undefined {
  const schemes = route.security.flat();
  if (schemes.includes('adminToken')) return `Bearer ${adminToken}`;
  if (schemes.includes('apiKey')) return `Basic ${b64(`${known.apiKey}:${known.secret}`)}`;
  if (schemes.includes('clientSecretBasic')) return `Basic ${b64(`${encodeURIComponent(known.clientId)}:${encodeURIComponent(known.clientSecret)}`)}`;
  return undefined;
}

/**
 * One case on a served route. With real credentials the path parameters name nothing and the
 * body never validates, so nothing may change; without them anything goes.
 */
function routeCase(route: ApiRoute, known: Known, adminToken: string): fc.Arbitrary<HttpCase> {
  const fields = fieldsOf(route);
  const params = route.path.match(/\{[^}]+\}/g) ?? [];
  const realParam = (name: string) => ({ '{tenant}': 'acme', '{apiKey}': known.apiKey, '{clientId}': known.clientId })[name];
  const build = (authorization: string | undefined, segments: string[], body: string | Uint8Array | undefined, type: string | undefined, query: string, extra: Record<string, string>): HttpCase => {
    let i = 0;
    const path = route.path.replace(/\{[^}]+\}/g, () => segments[i++]) + (route.method === 'GET' ? query : '');
    const headers: Record<string, string> = { ...extra };
    if (authorization !== undefined) headers.authorization = authorization;
    if (type !== undefined && body !== undefined) headers['content-type'] = type;
    return { method: route.method, path, headers, body: route.method === 'GET' || route.method === 'DELETE' ? undefined : body, what: `${route.method} ${route.path}` };
  };
  const extraHeaders = fc.dictionary(fc.constantFrom('x-request-id', 'x-api-key', 'accept', 'x-forwarded-for', 'last-event-id'), printable, { maxKeys: 2 });
  const anyParams = fc.tuple(...params.map((name) => fc.oneof(badSegment, fc.constant(realParam(name) ?? 'nothing-here').filter((v) => v !== undefined)))) as fc.Arbitrary<string[]>;
  const junkParams = fc.tuple(...params.map(() => badSegment)) as fc.Arbitrary<string[]>;
  const withBadCredentials = fc
    .tuple(badAuthorization(known), params.length ? anyParams : fc.constant<string[]>([]), anyBody(fields), contentType, junkQuery, extraHeaders)
    .map(([auth, segments, body, type, query, extra]) => build(auth, segments, body, type, query, extra));
  const real = validAuthorization(route, known, adminToken);
  if (real === undefined) return withBadCredentials;
  const safeBody = route.request ? invalidBody(fields) : fc.constant(undefined);
  const withRealCredentials = fc
    .tuple(params.length ? junkParams : fc.constant<string[]>([]), safeBody, contentType, junkQuery, extraHeaders)
    .filter(([segments, body]) => segments.length > 0 || body !== undefined || route.method === 'GET')
    .map(([segments, body, type, query, extra]) => build(real, segments, body, type ?? 'application/json', query, extra));
  return fc.oneof({ weight: 2, arbitrary: withBadCredentials }, { weight: 1, arbitrary: withRealCredentials });
}

/** Unknown paths, and served paths with methods they do not take. */
const strayCase: fc.Arbitrary<HttpCase> = fc.oneof(
  fc
    .tuple(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'), fc.webPath(), fc.option(fc.uint8Array({ maxLength: 200 }), { nil: undefined }))
    .map(([method, path, body]) => ({ method, path: path.startsWith('/') ? path : `/${path}`, headers: {}, body: method === 'GET' || method === 'HEAD' ? undefined : body, what: `${method} (unknown path)` })),
  fc
    .tuple(fc.constantFrom(...API_ROUTES), fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'), badSegment)
    .filter(([route, method]) => !API_ROUTES.some((r) => r.path === route.path && r.method === method))
    .map(([route, method, segment]) => ({ method, path: route.path.replace(/\{[^}]+\}/g, segment), headers: {}, body: method === 'GET' ? undefined : '{}', what: `${method} ${route.path} (wrong method)` })),
  fc
    .tuple(fc.constantFrom('/realms/%ff%fe/protocol/openid-connect/certs', '/realms/%/.well-known/openid-configuration', '/admin/tenants/%E0%A4%A', `/admin/tenants/${'a'.repeat(3_000)}`, '/v1/login-requests/%00', '/%', '/%%', '//', '/./', '/admin/../admin/tenants'))
    .map(([path]) => ({ method: 'GET', path, headers: {}, what: 'GET (malformed URL)' })),
);

/** Requests that no HTTP client would send: broken request lines and headers, over a raw socket. */
const rawRequest: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'GET /\u0000 HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
    'GET  HTTP/1.1\r\n\r\n',
    'BREW /v1/guests HTTP/1.1\r\nHost: x\r\n\r\n',
    'POST /v1/guests HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
    'POST /v1/guests HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    'POST /v1/guests HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: x\r\nX-Bad\u0001: 1\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: x\r\nbad header\r\n\r\n',
    `GET /${'a'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
  ),
  fc.string({ unit: 'binary', maxLength: 300 }).map((junk) => `${junk}\r\n\r\n`),
  fc.string({ unit: 'binary-ascii', maxLength: 80 }).map((line) => `GET /${line} HTTP/1.1\r\nHost: x\r\n\r\n`),
);

function natsCase(known: Known): fc.Arbitrary<NatsCase> {
  const credentials = fc.oneof(
    fc.constant({}),
    fc.record({ apiKey: oddValue, secret: oddValue }),
    printable.map((secret) => ({ apiKey: known.apiKey, secret: `${secret}x` })),
    fc.constant({ apiKey: known.apiKey, secret: known.secret }),
  );
  const fields = ['userId', 'role', 'rooms', 'ttlSeconds', 'name', 'image', 'metadata', 'profile', 'token'];
  const body: fc.Arbitrary<Uint8Array> = fc.oneof(
    brokenJson.map((text) => encoder.encode(text)),
    fc.uint8Array({ maxLength: 2_048 }),
    fc
      .tuple(credentials, fc.dictionary(fc.constantFrom(...fields), oddValue, { maxKeys: 5 }))
      // The stranger field keeps real credentials from ever minting: every case must fail.
      .map(([creds, rest]) => encoder.encode(JSON.stringify({ ...rest, ...creds, '\u0007stranger': 1 }))),
    fc.tuple(fc.integer({ min: 65, max: 20_000 }), credentials).map(([depth, creds]) => encoder.encode(`${JSON.stringify(creds).slice(0, -1)}${Object.keys(creds).length ? ',' : ''}"metadata":${nest('[', ']', depth)}}`)),
  );
  return fc.tuple(fc.constantFrom(...PUBLIC_SUBJECTS), body).map(([subject, data]) => ({ subject, body: data, what: subject }));
}

// ------------------------------------------------------------------ running and checking

async function send(system: RoomkeySystem, c: HttpCase): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(`${system.baseUrl}${c.path}`, { method: c.method, headers: c.headers, body: c.body as string | undefined, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(answer));
    socket.end(Buffer.from(request, 'latin1'));
  });
}

/** Every problem with one HTTP answer (empty when it keeps the contract). */
function httpProblems(c: HttpCase, answer: { status: number; headers: Headers; text: string }): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`status ${answer.status}`);
  if (!answer.headers.get('x-request-id')) problems.push('no X-Request-Id');
  if (answer.status < 400 || c.method === 'HEAD') return problems;
  if (c.what.endsWith('/protocol/openid-connect/auth') && answer.status === 400 && (answer.headers.get('content-type') ?? '').startsWith('text/html')) return problems;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return [...problems, `not JSON: ${answer.text.slice(0, 120)}`];
  }
  // As the client sent it: fetch resolves `.` and `..` segments (`/realms/%2e%2e/…` goes to `/…`).
  const sentPath = new URL(`http://127.0.0.1${c.path}`).pathname;
  if (c.method === 'POST' && OAUTH_ENDPOINT.test(sentPath)) {
    if (typeof body.error !== 'string' || !OAUTH_CODES.has(body.error) || typeof body.error_description !== 'string' || 'message' in body) problems.push(`not an RFC 6749 body: ${answer.text.slice(0, 160)}`);
  } else if (typeof body.error !== 'string' || !CONTRACT_CODES.has(body.error) || typeof body.message !== 'string' || Object.keys(body).length !== 2) {
    problems.push(`not {error, message}: ${answer.text.slice(0, 160)}`);
  }
  if (answer.status === 429 && !answer.headers.get('retry-after')) problems.push('429 without Retry-After');
  return problems;
}

/** A raw exchange: no answer at all (a closed socket) is fine; an answer keeps the contract. */
function rawProblems(answer: string): string[] {
  if (answer === '') return [];
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1]);
  const [head, ...rest] = answer.split('\r\n\r\n');
  const body = rest.join('\r\n\r\n');
  const problems: string[] = [];
  if (!(status < 500)) problems.push(`status ${status}`);
  if (!/^x-request-id:/im.test(head)) problems.push('no X-Request-Id');
  try {
    const parsed = JSON.parse(body);
    if (typeof parsed.error !== 'string' || !CONTRACT_CODES.has(parsed.error) || typeof parsed.message !== 'string') problems.push(`not {error, message}: ${body.slice(0, 160)}`);
  } catch {
    if (status >= 400) problems.push(`not JSON: ${JSON.stringify(answer.slice(0, 200))}`);
  }
  return problems;
}

function natsProblems(reply: Uint8Array): string[] {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(new TextDecoder().decode(reply));
  } catch {
    return ['reply is not JSON'];
  }
  if (body.ok !== false) return [`ok is not false: ${JSON.stringify(body).slice(0, 160)}`];
  if (typeof body.error !== 'string' || !CONTRACT_CODES.has(body.error)) return [`error code ${JSON.stringify(body.error)}`];
  if (typeof body.message !== 'string') return ['no message'];
  return [];
}

async function inParallel<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await run(items[next++]);
    }),
  );
}

const describeCase = (c: HttpCase) => `${c.what} → ${c.method} ${c.path.slice(0, 120)} ${JSON.stringify(c.headers).slice(0, 160)} body=${typeof c.body === 'string' ? JSON.stringify(c.body.slice(0, 120)) : c.body ? `${c.body.length} bytes` : 'none'}`;

describe('Bad input at the edges (sqlite)', () => {
  let system: RoomkeySystem;
  let known: Known;
  let nats: NatsConnection;

  beforeAll(async () => {
    // Throttling has its own tests; here thousands of failures from one address must not turn into 429s.
    system = await startSystem({ database: 'sqlite', authFailuresPerIdentifier: 1_000_000, authFailuresPerAddress: 1_000_000 });
    await admin(system).createTenant('acme', { guestAccess: true, anonymousAccess: true });
    const key = await admin(system).createApiKey('acme', 'production');
    const client = await admin(system).call('POST', '/admin/tenants/acme/clients', { name: 'bot', grantTypes: ['client_credentials'], accessTokenTtl: 600 });
    if (client.status !== 201) throw new Error(`client ${client.status}`);
    const minted = await http(system, 'POST', '/v1/access-tokens', { body: { userId: 'alice', role: 'HOST', rooms: ['town-hall'] }, basic: key });
    if (minted.status !== 201) throw new Error(`mint ${minted.status}`);
    known = { ...key, clientId: client.body.clientId, clientSecret: client.body.clientSecret, token: minted.body.accessToken };
    // The mint's use reaches lastUsedAt within about a second (issuers gather use reports): let it land
    // before the snapshots, which must then hold still.
    await eventually(async () => (await admin(system).call('GET', '/admin/tenants/acme/api-keys')).body.items[0].lastUsedAt !== null, 5_000, 100);
    nats = await connect({ servers: system.natsUrl });
  });

  afterAll(async () => {
    await nats?.close();
    await system?.stop();
  });

  /** What must not change: tenants, keys, clients, signing keys, and a known token's verification. */
  async function snapshot(): Promise<unknown> {
    const call = admin(system).call;
    const verified = await http(system, 'POST', '/v1/tokens/verify', { body: { token: known.token }, basic: known });
    const overNats = (await nats.request('roomkey.v1.tokens.verify', JSON.stringify({ apiKey: known.apiKey, secret: known.secret, token: known.token }), { timeout: 5_000 })).json();
    return {
      tenants: (await call('GET', '/admin/tenants')).body,
      tenant: (await call('GET', '/admin/tenants/acme')).body,
      apiKeys: (await call('GET', '/admin/tenants/acme/api-keys')).body,
      clients: (await call('GET', '/admin/tenants/acme/clients')).body,
      signingKeys: (await call('GET', '/admin/tenants/acme/signing-keys')).body,
      verified: [verified.status, verified.body],
      overNats,
    };
  }

  it('answers ≥ 1,000 generated bad requests (HTTP and NATS) below 500, in the contract shape, and changes nothing', async () => {
    const seed = Number(process.env.ROOMKEY_FUZZ_SEED ?? Date.now() % 2 ** 31);
    const before = await snapshot();
    expect(before).toMatchObject({ verified: [200, { active: true }], overNats: { ok: true, active: true } });

    const routeCases = fc.oneof(...API_ROUTES.map((route) => routeCase(route, known, system.adminToken)));
    const httpCases = fc.sample(fc.oneof({ weight: 6, arbitrary: routeCases }, { weight: 1, arbitrary: strayCase }), { numRuns: HTTP_CASES, seed });
    // Every route at least once, whatever the seed.
    for (const route of API_ROUTES) httpCases.push(...fc.sample(routeCase(route, known, system.adminToken), { numRuns: 2, seed }));
    const rawCases = fc.sample(rawRequest, { numRuns: RAW_CASES, seed });
    const natsCases = fc.sample(natsCase(known), { numRuns: NATS_CASES, seed });

    const failures: string[] = [];
    const started = Date.now();
    await inParallel(httpCases, CONCURRENCY, async (c) => {
      try {
        const problems = httpProblems(c, await send(system, c));
        if (problems.length) failures.push(`${problems.join('; ')} ← ${describeCase(c)}`);
      } catch (error) {
        failures.push(`request failed (${(error as Error).message}: ${String((error as { cause?: unknown }).cause)}) ← ${describeCase(c)}`);
      }
    });
    const port = Number(new URL(system.baseUrl).port);
    await inParallel(rawCases, CONCURRENCY, async (request) => {
      const problems = rawProblems(await rawExchange(port, request));
      if (problems.length) failures.push(`${problems.join('; ')} ← raw ${JSON.stringify(request.slice(0, 160))}`);
    });
    await inParallel(natsCases, CONCURRENCY, async (c) => {
      try {
        const reply = await nats.request(c.subject, c.body, { timeout: 5_000 });
        const problems = natsProblems(reply.data);
        if (problems.length) failures.push(`${problems.join('; ')} ← ${c.subject} ${JSON.stringify(new TextDecoder().decode(c.body).slice(0, 160))}`);
      } catch (error) {
        failures.push(`no reply (${(error as Error).message}) ← ${c.subject} ${c.body.length} bytes`);
      }
    });

    const total = httpCases.length + rawCases.length + natsCases.length;
    console.log(`bad-input corpus: ${total} cases (${httpCases.length} HTTP, ${rawCases.length} raw HTTP, ${natsCases.length} NATS), seed ${seed}, ${failures.length} failed, ${Date.now() - started} ms`);
    if (process.env.ROOMKEY_FUZZ_REPORT) writeFileSync(process.env.ROOMKEY_FUZZ_REPORT, failures.join('\n'));
    expect(total).toBeGreaterThanOrEqual(1_000);
    expect(failures.slice(0, 40)).toEqual([]);
    expect(await snapshot()).toEqual(before);
  }, 120_000);

  describe('the edges one by one', () => {
    const deep = nest('[', ']', 5_000);

    it.each(['/admin/tenants', '/v1/login-requests/abc/accept', '/v1/access-tokens', '/v1/guests'])('JSON nested deeper than 64 levels at %s: 400 naming the body, before any service', async (path) => {
      const credentials = path.startsWith('/admin') ? { bearer: system.adminToken } : { basic: known };
      const answer = await http(system, path.includes('login') ? 'PUT' : 'POST', path, { rawBody: deep, ...credentials });
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: 'invalid_request', message: expect.stringMatching(/^Request body .*64/) });
      const shallow = await http(system, 'POST', '/v1/guests', { rawBody: `{"userId":"a","name":${nest('[', ']', 63)}}`, basic: known });
      expect(shallow.status).toBe(400);
      expect(shallow.body.message).not.toMatch(/64/);
    });

    it('JSON nested deeper than 64 levels over NATS: ok:false invalid_request naming the body', async () => {
      for (const subject of PUBLIC_SUBJECTS) {
        const body = `{"apiKey":${JSON.stringify(known.apiKey)},"secret":${JSON.stringify(known.secret)},"metadata":${nest('[', ']', 70)}}`;
        const reply = (await nats.request(subject, body, { timeout: 5_000 })).json<Record<string, unknown>>();
        expect(reply).toEqual({ ok: false, error: 'invalid_request', message: expect.stringMatching(/^Request body .*64/) });
      }
    });

    it('unsupported media type: 415 invalid_request (400 at OAuth endpoints); over 16 KiB: 413 payload_too_large', async () => {
      const text = await http(system, 'POST', '/v1/guests', { rawBody: 'hello', contentType: 'text/plain', basic: known });
      expect([text.status, text.body]).toEqual([415, { error: 'invalid_request', message: expect.any(String) }]);
      const oauth = await http(system, 'POST', '/realms/acme/protocol/openid-connect/token', { rawBody: '<x/>', contentType: 'application/xml' });
      // RFC 6749 §5.2 has no 415: OAuth endpoints keep the RFC's 400.
      expect([oauth.status, oauth.body]).toEqual([400, { error: 'invalid_request', error_description: expect.any(String) }]);
      const big = await http(system, 'POST', '/v1/guests', { body: { name: 'x'.repeat(17_000) }, basic: known });
      expect([big.status, big.body]).toEqual([413, { error: 'payload_too_large', message: expect.any(String) }]);
      const bigForm = await http(system, 'POST', '/oauth/token', { rawBody: `grant_type=${'x'.repeat(17_000)}`, contentType: 'application/x-www-form-urlencoded' });
      expect([bigForm.status, bigForm.body]).toEqual([413, { error: 'payload_too_large', error_description: expect.any(String) }]);
    });

    it('malformed URLs, over-long parameters, unknown routes and wrong methods answer 400/404/405 in the contract shape', async () => {
      const cases: Array<[string, string]> = [
        ['GET', '/realms/%ff%fe/protocol/openid-connect/certs'],
        ['GET', '/admin/tenants/%E0%A4%A'],
        ['GET', `/admin/tenants/${'a'.repeat(3_000)}`],
        ['GET', `/realms/${'a'.repeat(3_000)}/.well-known/openid-configuration`],
        ['GET', '/no/such/route'],
        ['DELETE', '/v1/access-tokens'],
        ['PATCH', '/healthz'],
        ['OPTIONS', '/v1/guests'],
      ];
      for (const [method, path] of cases) {
        const answer = await http(system, method, path, { bearer: system.adminToken });
        expect([400, 404, 405]).toContain(answer.status);
        expect(answer.body).toEqual({ error: expect.stringMatching(/^(invalid_request|not_found)$/), message: expect.any(String) });
        expect((answer.body.message as string).length).toBeLessThan(300);
        expect(answer.headers.get('x-request-id')).toBeTruthy();
      }
      const oauth = await http(system, 'POST', '/realms/%ff/protocol/openid-connect/token', { rawBody: 'grant_type=client_credentials', contentType: 'application/x-www-form-urlencoded' });
      expect(oauth.status).toBeLessThan(500);
      expect(oauth.body).toEqual({ error: expect.any(String), error_description: expect.any(String) });
    });
  });
});
