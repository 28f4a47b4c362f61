/**
 * The gateway's OpenAPI 3.1 document, generated from the route table (api-routes.ts) and the
 * message schemas it names. Every titled schema becomes a named component, so a body shared by
 * several routes is described once in the document too.
 */
import type { TObject, TSchema } from '@roomkey/contracts';
import { API_ROUTES, JSON_TYPE, type ApiAnswer, type ApiRoute, type ErrorStatus, type SecuritySchemeName, type Tag } from './api-routes';
import { ErrorSchema, OAuthErrorSchema, PathParameters } from './gateway-schemas';

type JsonObject = Record<string, unknown>;

const ERROR_ANSWERS: Record<ErrorStatus, string> = {
  400: 'Malformed input (the message names the field), a body that is not JSON or not of a content type the route takes, or a malformed URL',
  401: 'Missing or wrong credentials (`unauthorized`), or an invalid, expired or revoked token (`invalid_token`)',
  403: 'Authenticated, but not allowed to do this',
  404: 'Unknown tenant, key, client, invite or challenge',
  409: 'Conflicts with the current state',
  410: 'Used up or expired',
  413: 'Body over 16 KiB',
  429: 'Too many failed authentications from this client or address; retry after `Retry-After` seconds',
  503: 'A service behind the gateway did not answer in time',
};

const ERROR_HEADERS: Partial<Record<ErrorStatus, Record<string, string>>> = {
  401: { 'WWW-Authenticate': 'The authentication scheme to use' },
  429: { 'Retry-After': 'Seconds until the window passes' },
};

const TAGS: Record<Tag, string> = {
  'Access tokens': 'The streaming-platform API: user tokens from an API key, verification and revocation',
  'Guests and invites': 'Guest and anonymous viewer tokens, and invites a guest can redeem',
  'Login requests': "The partner's login app completes authorization requests (Ory Hydra's login-challenge model)",
  'OAuth 2.0 and OpenID Connect': "Keycloak-compatible realm paths and Auth0's /oauth/token; errors follow RFC 6749 §5.2",
  Admin: 'Tenants, API keys, OAuth clients, signing keys, revocation cut-offs and admin keys (Bearer ROOMKEY_ADMIN_TOKEN, or an admin key within its scopes)',
  Operations: 'Health, readiness, metrics and this reference',
};

function securitySchemes(publicUrl: string): Record<SecuritySchemeName, JsonObject> {
  return {
    apiKey: { type: 'http', scheme: 'basic', description: 'HTTP Basic: the API key as user name, its secret as password' },
    xApiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'The API key alone, where the tenant allows guest or anonymous access' },
    adminToken: { type: 'http', scheme: 'bearer', description: 'ROOMKEY_ADMIN_TOKEN, or an admin key (`rk_admin_…`) within its scopes and tenant' },
    accessToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A roomkey access token' },
    clientSecretBasic: {
      type: 'http',
      scheme: 'basic',
      description: 'client_secret_basic (RFC 6749 §2.3.1): the form-encoded client id as user name, the client secret as password',
    },
    // OpenAPI has no scheme for credentials in a form body; the client-credentials flow is the
    // nearest, and the description says what is actually sent.
    clientSecretPost: {
      type: 'oauth2',
      description: 'client_secret_post (RFC 6749 §2.3.1): `client_id` and `client_secret` as parameters of the form body',
      flows: { clientCredentials: { tokenUrl: `${publicUrl}/oauth/token`, scopes: {} } },
    },
  };
}

/** JSON Schemas of the document, each titled schema once under `components/schemas`. */
class SchemaComponents {
  readonly schemas: Record<string, JsonObject> = {};
  private readonly serialized = new Map<string, string>();

  /** The schema as JSON Schema, titled parts replaced by `$ref`s to their component. */
  use(schema: TSchema): JsonObject {
    return this.convert(JSON.parse(JSON.stringify(schema)) as JsonObject);
  }

  private convert(node: JsonObject): JsonObject {
    const converted: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      // errorMessage is the validator's sentence, not JSON Schema.
      if (key === 'errorMessage') continue;
      converted[key] = this.convertValue(value);
    }
    const title = converted.title;
    if (typeof title !== 'string') return converted;
    const text = JSON.stringify(converted);
    const known = this.serialized.get(title);
    if (known !== undefined && known !== text) throw new Error(`Two different schemas are titled '${title}'`);
    this.serialized.set(title, text);
    this.schemas[title] = converted;
    return { $ref: `#/components/schemas/${title}` };
  }

  private convertValue(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.convertValue(item));
    if (typeof value === 'object' && value !== null) return this.convert(value as JsonObject);
    return value;
  }
}

function content(types: Record<string, TSchema>, schemas: SchemaComponents): JsonObject {
  return Object.fromEntries(Object.entries(types).map(([type, schema]) => [type, { schema: schemas.use(schema) }]));
}

function headers(described: Record<string, string> | undefined): JsonObject | undefined {
  if (!described) return undefined;
  return Object.fromEntries(Object.entries(described).map(([name, description]) => [name, { description, schema: { type: name === 'Retry-After' ? 'integer' : 'string' } }]));
}

function answer(described: ApiAnswer, schemas: SchemaComponents): JsonObject {
  const types = 'content' in described ? described.content : 'schema' in described ? { [described.contentType ?? JSON_TYPE]: described.schema } : undefined;
  return {
    description: described.description,
    ...(described.headers ? { headers: headers(described.headers) } : {}),
    ...(types ? { content: content(types, schemas) } : {}),
  };
}

function pathParameters(path: string, schemas: SchemaComponents): JsonObject[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => {
    const schema = (PathParameters as Record<string, TSchema>)[name];
    if (!schema) throw new Error(`No schema for the path parameter '${name}' of ${path}`);
    const { description, ...rest } = schemas.use(schema);
    return { name, in: 'path', required: true, description, schema: rest };
  });
}

function queryParameters(query: TObject | undefined, schemas: SchemaComponents): JsonObject[] {
  if (!query) return [];
  const required = new Set(query.required ?? []);
  return Object.entries(query.properties).map(([name, property]) => {
    const { description, ...schema } = schemas.use(property);
    return { name, in: 'query', required: required.has(name), ...(description ? { description } : {}), schema };
  });
}

function operation(route: ApiRoute, schemas: SchemaComponents): JsonObject {
  const errorSchema = route.errors.shape === 'OAuthError' ? OAuthErrorSchema : ErrorSchema;
  const responses: JsonObject = {};
  for (const [status, described] of Object.entries(route.answers)) responses[status] = answer(described, schemas);
  // Every admin route may answer 403 to an admin key outside its scopes.
  const adminRoute = route.security.some((alternative) => alternative.includes('adminToken'));
  const statuses = adminRoute && !route.errors.statuses.includes(403) ? [...route.errors.statuses, 403 as const].sort() : route.errors.statuses;
  for (const status of statuses) {
    responses[status] = answer({ description: ERROR_ANSWERS[status], schema: errorSchema, headers: ERROR_HEADERS[status] }, schemas);
  }
  const parameters = [...pathParameters(route.path, schemas), ...queryParameters(route.query, schemas)];
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    security: route.security.map((alternative) => Object.fromEntries(alternative.map((name) => [name, []]))),
    ...(parameters.length ? { parameters } : {}),
    ...(route.request
      ? { requestBody: { required: route.request.required, content: content(Object.fromEntries(route.request.contentTypes.map((type) => [type, route.request!.schema])), schemas) } }
      : {}),
    responses,
  };
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>;

export function openApiDocument(publicUrl: string, routes: readonly ApiRoute[] = API_ROUTES) {
  const schemas = new SchemaComponents();
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of routes) {
    const operations = (paths[route.path] ??= {});
    const method = route.method.toLowerCase();
    if (operations[method]) throw new Error(`${route.method} ${route.path} is in the route table twice`);
    operations[method] = operation(route, schemas);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'roomkey',
      version: '0.1.0',
      description: 'Token authority for real-time video and live streaming. Errors answer `{error, message}`; the OAuth endpoints answer `{error, error_description}` (RFC 6749 §5.2). Every answer carries `X-Request-Id`. String formats `text-255` and `text-2048`: 1–255 (1–2048) Unicode code points without control characters.',
    },
    servers: [{ url: publicUrl }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    components: { securitySchemes: securitySchemes(publicUrl), schemas: schemas.schemas },
  };
}
