/**
 * The OpenAPI document keeps honest: every served route has an entry with its schemas, the served
 * document lints clean with redocly, answers match the schemas it documents, /docs is a reference
 * UI that works offline, and RFC 8414 discovery answers at its well-known path.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { validator } from '@roomkey/contracts';
import { API_ROUTES, type ApiRoute } from '../apps/gateway/docs/api-routes';
import { GatewayModule } from '../apps/gateway/gateway.module';
import { admin, http, startSystem, type RoomkeySystem } from './support/harness';

const ROOT = join(__dirname, '..');
const run = promisify(execFile);

interface ServedHandler {
  route: string;
  takesBody: boolean;
}

/** Each controller method's method and path(s), and whether it reads a body (`@Body()`). */
function servedHandlers(system: RoomkeySystem): ServedHandler[] {
  const controllers = GatewayModule.forRoot(system.configs.gateway).controllers ?? [];
  const handlers: ServedHandler[] = [];
  const join = (...parts: string[]) => `/${parts.flatMap((p) => p.split('/')).filter(Boolean).join('/')}`;
  for (const controller of controllers) {
    const prefixes = [Reflect.getMetadata(PATH_METADATA, controller) as string | string[]].flat();
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = controller.prototype[name];
      const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (name === 'constructor' || paths === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const args = Object.keys(Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {});
      const takesBody = args.some((key) => key.startsWith(`${RouteParamtypes.BODY}:`));
      for (const prefix of prefixes) for (const path of [paths].flat()) handlers.push({ route: `${method} ${join(prefix, path)}`, takesBody });
    }
  }
  return handlers;
}

const routeKey = (route: ApiRoute) => `${route.method} ${route.path.replace(/\{(\w+)\}/g, ':$1')}`;
/** Answers without a body: no content, a redirect, and RFC 7009's empty 200. */
const BODYLESS = new Set(['204', '302', 'POST /realms/:tenant/protocol/openid-connect/revoke 200']);

describe('OpenAPI document and API reference', () => {
  let system: RoomkeySystem;
  let document: any;

  beforeAll(async () => {
    system = await startSystem({ database: 'sqlite' });
    document = (await http(system, 'GET', '/docs/openapi.json')).body;
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('has one route-table entry per controller route, with a request schema wherever the handler reads a body', () => {
    const handlers = servedHandlers(system);
    expect(handlers.map((h) => h.route).sort()).toEqual(API_ROUTES.map(routeKey).sort());
    const byKey = new Map(API_ROUTES.map((route) => [routeKey(route), route]));
    const withoutRequestSchema = handlers.filter((h) => h.takesBody && !byKey.get(h.route)?.request?.schema).map((h) => h.route);
    expect(withoutRequestSchema).toEqual([]);
    const bodiesNotRead = handlers.filter((h) => !h.takesBody && byKey.get(h.route)?.request).map((h) => h.route);
    expect(bodiesNotRead).toEqual([]);
  });

  it('gives every operation an id, a summary, security, a 2XX (or a redirect) with a schema, and error answers', () => {
    const missing: string[] = [];
    const operationIds = new Set<string>();
    for (const [path, operations] of Object.entries(document.paths as Record<string, Record<string, any>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        const key = `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`;
        if (!operation.operationId || operationIds.has(operation.operationId)) missing.push(`${key}: operationId`);
        operationIds.add(operation.operationId);
        if (!operation.summary) missing.push(`${key}: summary`);
        if (!Array.isArray(operation.security)) missing.push(`${key}: security`);
        for (const [type, media] of Object.entries((operation.requestBody?.content ?? {}) as Record<string, any>)) if (!media.schema) missing.push(`${key}: request ${type}`);
        const statuses = Object.keys(operation.responses);
        if (!statuses.some((s) => /^(2\d\d|302)$/.test(s))) missing.push(`${key}: a 2XX answer`);
        if (operation.tags[0] !== 'Operations' && !statuses.some((s) => /^4\d\d$/.test(s))) missing.push(`${key}: a 4XX answer`);
        for (const [status, response] of Object.entries(operation.responses as Record<string, any>)) {
          if (BODYLESS.has(status) || BODYLESS.has(`${key} ${status}`)) continue;
          const media = Object.values((response.content ?? {}) as Record<string, any>);
          if (media.length === 0 || media.some((m) => !m.schema)) missing.push(`${key}: ${status} schema`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('describes OAuth client authentication and answers OAuth errors on the OAuth endpoints', () => {
    for (const path of ['/realms/{tenant}/protocol/openid-connect/token/introspect', '/realms/{tenant}/protocol/openid-connect/revoke']) {
      expect(document.paths[path].post.security).toEqual([{ clientSecretBasic: [] }, { clientSecretPost: [] }]);
      expect(document.paths[path].post.requestBody.content).toHaveProperty(['application/x-www-form-urlencoded']);
    }
    expect(Object.keys(document.paths['/oauth/token'].post.requestBody.content).sort()).toEqual(['application/json', 'application/x-www-form-urlencoded']);
    expect(document.paths['/oauth/token'].post.responses['401'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/OAuthError' });
    expect(document.paths['/v1/access-tokens'].post.responses['429'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(document.components.schemas.Error.required).toEqual(['error', 'message']);
    expect(document.components.schemas.OAuthError.required).toEqual(['error', 'error_description']);
    expect(document.components.schemas.TenantView?.properties ?? document.components.schemas.AdminTenant.properties).toHaveProperty('roleMatrix');
  });

  it('lints clean with redocly (recommended rules, redocly.yaml)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roomkey-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(document));
      const lint = await run(join(ROOT, 'node_modules/.bin/redocly'), ['lint', file, '--config', join(ROOT, 'redocly.yaml'), '--format=json'], {
        cwd: dir,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        maxBuffer: 16 * 1024 * 1024,
      }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
      const report = JSON.parse(lint.stdout) as { totals: { errors: number; warnings: number }; problems: Array<{ ruleId: string; message: string; location: Array<{ pointer: string }> }> };
      const problems = report.problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);
      expect(problems).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers what it documents', async () => {
    const documented = (operationId: string, status: number) => {
      const route = API_ROUTES.find((r) => r.operationId === operationId)!;
      const answer = route.answers[status as keyof ApiRoute['answers']]!;
      return validator('schema' in answer ? answer.schema : ({} as never));
    };
    const expectAnswer = (operationId: string, answer: { status: number; body: unknown }) => {
      const check = documented(operationId, answer.status);
      // parse names the first field that does not match.
      expect(() => check.parse(answer.body, `${operationId} ${answer.status}: ${JSON.stringify(answer.body)}`)).not.toThrow();
    };
    const tenant = await admin(system).call('POST', '/admin/tenants', { shortcode: 'openapi', name: 'OpenAPI' });
    expectAnswer('createTenant', tenant);
    expectAnswer('getTenant', await admin(system).call('GET', '/admin/tenants/openapi'));
    const apiKey = await admin(system).call('POST', '/admin/tenants/openapi/api-keys', { environment: 'production' });
    expectAnswer('createApiKey', apiKey);
    expectAnswer('listApiKeys', await admin(system).call('GET', '/admin/tenants/openapi/api-keys'));
    expectAnswer('listSigningKeys', await admin(system).call('GET', '/admin/tenants/openapi/signing-keys'));
    const client = await admin(system).call('POST', '/admin/tenants/openapi/clients', { grantTypes: ['client_credentials'] });
    expectAnswer('createClient', client);
    expectAnswer('listClients', await admin(system).call('GET', '/admin/tenants/openapi/clients'));
    expectAnswer('getOpenIdConfiguration', await http(system, 'GET', '/realms/openapi/.well-known/openid-configuration'));
    expectAnswer('getJwks', await http(system, 'GET', '/realms/openapi/protocol/openid-connect/certs'));
    expectAnswer('getHealth', await http(system, 'GET', '/healthz'));
    expectAnswer('getReadiness', await http(system, 'GET', '/readyz'));
    const basic = { apiKey: apiKey.body.apiKey, secret: apiKey.body.secret };
    const token = await http(system, 'POST', '/v1/access-tokens', { basic, body: { userId: 'ada', role: 'HOST' } });
    expectAnswer('createAccessToken', token);
    expectAnswer('verifyToken', await http(system, 'POST', '/v1/tokens/verify', { basic, body: { token: token.body.accessToken } }));
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: client.body.clientId, client_secret: client.body.clientSecret }).toString();
    const oauth = await http(system, 'POST', '/realms/openapi/protocol/openid-connect/token', { rawBody: form, contentType: 'application/x-www-form-urlencoded' });
    expectAnswer('requestToken', oauth);
    const introspection = new URLSearchParams({ token: oauth.body.access_token, client_id: client.body.clientId, client_secret: client.body.clientSecret }).toString();
    expectAnswer('introspectToken', await http(system, 'POST', '/realms/openapi/protocol/openid-connect/token/introspect', { rawBody: introspection, contentType: 'application/x-www-form-urlencoded' }));
  });

  it('serves RFC 8414 metadata at its well-known path, the same as the OpenID Connect discovery document', async () => {
    await admin(system).call('POST', '/admin/tenants', { shortcode: 'rfc8414', name: 'RFC 8414' });
    const oidc = await http(system, 'GET', '/realms/rfc8414/.well-known/openid-configuration');
    const rfc8414 = await http(system, 'GET', '/.well-known/oauth-authorization-server/realms/rfc8414');
    expect(rfc8414.status).toBe(200);
    expect(rfc8414.body).toEqual(oidc.body);
    expect(rfc8414.body.issuer).toBe(`${system.baseUrl}/realms/rfc8414`);
    expect(rfc8414.headers.get('cache-control')).toBe(oidc.headers.get('cache-control'));
    const unknown = await http(system, 'GET', '/.well-known/oauth-authorization-server/realms/nobody');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: 'not_found', message: "Tenant 'nobody' not found" });
  });

  it('serves Swagger UI at /docs from its own files, with no external URL (works offline)', async () => {
    const page = await http(system, 'GET', '/docs', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.body).toContain('<div id="swagger-ui">');
    expect(page.body).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    const assets = [...(page.body as string).matchAll(/(?:src|href)="(docs\/assets\/[^"]+)"/g)].map(([, url]) => url);
    expect(assets).toEqual(expect.arrayContaining(['docs/assets/swagger-ui.css', 'docs/assets/swagger-ui-bundle.js', 'docs/assets/initializer.js']));
    const types: Record<string, string> = { css: 'text/css', js: 'text/javascript', png: 'image/png' };
    for (const asset of assets) {
      const answer = await fetch(`${system.baseUrl}/${asset}`);
      expect({ asset, status: answer.status }).toEqual({ asset, status: 200 });
      expect(answer.headers.get('content-type')).toContain(types[asset.split('.').pop()!]);
      if (asset.endsWith('initializer.js')) {
        const script = await answer.text();
        expect(script).toContain("url: 'docs/openapi.json'");
        expect(script).toContain('validatorUrl: null');
        expect(script).not.toMatch(/https?:\/\//);
      } else {
        await answer.arrayBuffer();
      }
    }
    const unknown = await http(system, 'GET', '/docs/assets/..%2Fpackage.json');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('not_found');
  });
});
