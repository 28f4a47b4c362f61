/**
 * The gateway's OpenAPI 3.1 description, served at /docs. A test checks that it lists exactly the
 * routes the gateway serves, so it cannot drift from the code.
 */
import { GRANT_TYPES, PERMISSIONS, ROLES } from '@roomkey/contracts';

type Schema = Record<string, unknown>;

const str = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', properties, required });
const json = (schema: Schema) => ({ content: { 'application/json': { schema } } });
const form = (schema: Schema) => ({ content: { 'application/x-www-form-urlencoded': { schema } } });
const error = { $ref: '#/components/schemas/Error' };
const oauthError = { $ref: '#/components/schemas/OAuthError' };
const rooms: Schema = { type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' }, minItems: 1, maxItems: 100 };
const role: Schema = { type: 'string', enum: [...ROLES] };
const tenantParam = { name: 'tenant', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,62}$' } };
const pathParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });

interface Operation {
  summary: string;
  security?: Array<Record<string, string[]>>;
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
  tags: string[];
}

const ok = (status: string, description: string, schema?: Schema) => ({ [status]: { description, ...(schema ? json(schema) : {}) } });
const errors = (...statuses: string[]) => Object.fromEntries(statuses.map((s) => [s, { description: 'Error', ...json(error) }]));
const oauthErrors = (...statuses: string[]) => Object.fromEntries(statuses.map((s) => [s, { description: 'RFC 6749 §5.2 error', ...json(oauthError) }]));

const basic = [{ apiKey: [] }];
const admin = [{ adminToken: [] }];
const bearer = [{ accessToken: [] }];

const tokenAnswer = obj({
  access_token: str(),
  expires_in: { type: 'integer' },
  refresh_expires_in: { type: 'integer' },
  token_type: { const: 'Bearer' },
  'not-before-policy': { const: 0 },
  scope: str(),
  refresh_token: str('authorization_code and refresh_token grants, for clients allowed refresh_token'),
});
const guestAnswer = obj({ user: obj({ id: str(), name: { type: ['string', 'null'] }, image: { type: ['string', 'null'] }, kind: { const: 'guest' } }), accessToken: str(), expiresIn: { type: 'integer' } });

export function openApiDocument(publicUrl: string) {
  const paths: Record<string, Record<string, Operation>> = {
    '/v1/access-tokens': {
      post: {
        tags: ['Streaming API'],
        summary: 'CreateAccessToken: a user token for a role and rooms',
        security: basic,
        requestBody: json(obj({ userId: str(), role, rooms, ttlSeconds: { type: 'integer', minimum: 1 }, name: str(), image: str() }, ['userId', 'role'])),
        responses: {
          ...ok('201', 'The token', obj({ accessToken: str(), tokenType: { const: 'Bearer' }, expiresIn: { type: 'integer' }, expiresAt: str('ISO 8601 UTC'), role, permissions: { type: 'array', items: { enum: [...PERMISSIONS] } } })),
          ...errors('400', '401', '413', '429', '503'),
        },
      },
    },
    '/v1/tokens/verify': {
      post: {
        tags: ['Streaming API'],
        summary: 'Verify a roomkey token or a partner-signed HS256 token of the caller’s tenant',
        security: basic,
        requestBody: json(obj({ token: str() }, ['token'])),
        responses: { ...ok('200', 'Active', obj({ active: { const: true }, claims: { type: 'object' } })), ...errors('400', '401', '429', '503') },
      },
    },
    '/v1/tokens/revoke': {
      post: {
        tags: ['Streaming API'],
        summary: 'Revoke a token (by token or jti); every verifier refuses it within a second',
        security: basic,
        requestBody: json(obj({ token: str(), jti: str() })),
        responses: { ...ok('200', 'Revoked', obj({ revoked: { const: true }, jti: str() })), ...errors('400', '401', '429', '503') },
      },
    },
    '/v1/guests': {
      post: {
        tags: ['Streaming API'],
        summary: 'A guest user (unique id) with a GUEST token; X-Api-Key alone when the tenant allows guest access',
        security: [...basic, { xApiKey: [] }],
        requestBody: json(obj({ userId: str(), name: str(), image: str(), rooms, ttlSeconds: { type: 'integer' } })),
        responses: { ...ok('201', 'The guest', guestAnswer), ...errors('400', '401', '403', '429', '503') },
      },
    },
    '/v1/anonymous-tokens': {
      post: {
        tags: ['Streaming API'],
        summary: 'An anonymous VIEWER token (sub "!anon", a per-token anon_id)',
        security: [...basic, { xApiKey: [] }],
        requestBody: json(obj({ rooms, ttlSeconds: { type: 'integer' } }, ['rooms'])),
        responses: { ...ok('201', 'The token', obj({ accessToken: str(), expiresIn: { type: 'integer' } })), ...errors('400', '401', '403', '429', '503') },
      },
    },
    '/v1/invites': {
      post: {
        tags: ['Streaming API'],
        summary: 'An invite a guest can redeem (caller’s token must hold guests:invite)',
        security: bearer,
        requestBody: json(obj({ role, rooms, ttlSeconds: { type: 'integer' }, maxUses: { type: 'integer', minimum: 1 } }, ['role'])),
        responses: { ...ok('201', 'The invite', obj({ inviteCode: str(), expiresAt: str() })), ...errors('400', '401', '403', '503') },
      },
    },
    '/v1/invites/{code}/redeem': {
      post: {
        tags: ['Streaming API'],
        summary: 'Redeem an invite: a guest token with act.sub = the inviter',
        parameters: [pathParam('code')],
        requestBody: json(obj({ name: str() })),
        responses: { ...ok('201', 'The guest', guestAnswer), ...errors('400', '404', '410', '503') },
      },
    },
    '/v1/login-requests/{challenge}': {
      get: {
        tags: ['Login delegation'],
        summary: 'The authorization request behind a login challenge',
        security: basic,
        parameters: [pathParam('challenge')],
        responses: { ...ok('200', 'The login request', { type: 'object' }), ...errors('401', '403', '404', '410') },
      },
    },
    '/v1/login-requests/{challenge}/accept': {
      put: {
        tags: ['Login delegation'],
        summary: 'The user is authenticated: answer where to send the browser (with a code)',
        security: basic,
        parameters: [pathParam('challenge')],
        requestBody: json(obj({ subject: str(), role, rooms }, ['subject'])),
        responses: { ...ok('200', 'Where to redirect', obj({ redirectTo: str() })), ...errors('400', '401', '403', '404', '409', '410') },
      },
    },
    '/v1/login-requests/{challenge}/reject': {
      put: {
        tags: ['Login delegation'],
        summary: 'The login failed or was cancelled: answer where to send the browser (with the error)',
        security: basic,
        parameters: [pathParam('challenge')],
        requestBody: json(obj({ error: str(), error_description: str() }, ['error'])),
        responses: { ...ok('200', 'Where to redirect', obj({ redirectTo: str() })), ...errors('400', '401', '403', '404', '409', '410') },
      },
    },
    '/realms/{tenant}/.well-known/openid-configuration': {
      get: { tags: ['OAuth 2.0'], summary: 'Discovery metadata (RFC 8414)', parameters: [tenantParam], responses: { ...ok('200', 'Metadata', { type: 'object' }), ...errors('404') } },
    },
    '/realms/{tenant}/protocol/openid-connect/certs': {
      get: { tags: ['OAuth 2.0'], summary: 'The tenant’s JWKS (next, active and retiring keys)', parameters: [tenantParam], responses: { ...ok('200', 'JWKS', obj({ keys: { type: 'array', items: { type: 'object' } } })), ...errors('404') } },
    },
    '/realms/{tenant}/protocol/openid-connect/auth': {
      get: {
        tags: ['OAuth 2.0'],
        summary: 'Authorization endpoint: code + PKCE (S256); redirects to the tenant’s login app',
        parameters: [tenantParam, ...['response_type', 'client_id', 'redirect_uri', 'code_challenge', 'code_challenge_method', 'state', 'scope', 'audience'].map((name) => ({ name, in: 'query', schema: { type: 'string' } }))],
        responses: { '302': { description: 'To the login app, or back to the client with an error' }, '400': { description: 'Unknown client or unregistered redirect URI (HTML page)' } },
      },
    },
    '/realms/{tenant}/protocol/openid-connect/token': {
      post: {
        tags: ['OAuth 2.0'],
        summary: 'Token endpoint (client_secret_basic or client_secret_post)',
        parameters: [tenantParam],
        requestBody: form(obj({ grant_type: { enum: [...GRANT_TYPES] }, client_id: str(), client_secret: str(), scope: str(), audience: str(), code: str(), redirect_uri: str(), code_verifier: str(), refresh_token: str() }, ['grant_type'])),
        responses: { ...ok('200', 'Tokens', tokenAnswer), ...oauthErrors('400', '401', '403', '413', '429', '503') },
      },
    },
    '/realms/{tenant}/protocol/openid-connect/token/introspect': {
      post: {
        tags: ['OAuth 2.0'],
        summary: 'Introspection (RFC 7662)',
        parameters: [tenantParam],
        requestBody: form(obj({ token: str() }, ['token'])),
        responses: { ...ok('200', '{active:false} or the claims', { type: 'object' }), ...oauthErrors('400', '401', '429') },
      },
    },
    '/realms/{tenant}/protocol/openid-connect/revoke': {
      post: {
        tags: ['OAuth 2.0'],
        summary: 'Revocation (RFC 7009)',
        parameters: [tenantParam],
        requestBody: form(obj({ token: str(), token_type_hint: str() }, ['token'])),
        responses: { '200': { description: 'Revoked, or nothing to revoke' }, ...oauthErrors('400', '401', '429') },
      },
    },
    '/oauth/token': {
      post: {
        tags: ['OAuth 2.0'],
        summary: 'Auth0-style token endpoint: the tenant comes from client_id; audience must be the client’s (else 403 access_denied)',
        requestBody: { content: { ...form(tokenRequestSchema()).content, ...json(tokenRequestSchema()).content } },
        responses: { ...ok('200', 'Tokens', tokenAnswer), ...oauthErrors('400', '401', '403', '413', '429', '503') },
      },
    },
    '/admin/tenants': {
      post: {
        tags: ['Admin'],
        summary: 'Create a tenant (with an active and a next signing key)',
        security: admin,
        requestBody: json(obj({ shortcode: str(), name: str(), loginUrl: str(), guestAccess: { type: 'boolean' }, anonymousAccess: { type: 'boolean' }, signingAlg: { enum: ['ES256', 'EdDSA', 'RS256'] } }, ['shortcode', 'name'])),
        responses: { ...ok('201', 'The tenant', { type: 'object' }), ...errors('400', '401', '409') },
      },
    },
    '/admin/tenants/{tenant}': { get: { tags: ['Admin'], summary: 'A tenant', security: admin, parameters: [tenantParam], responses: { ...ok('200', 'The tenant', { type: 'object' }), ...errors('401', '404') } } },
    '/admin/tenants/{tenant}/api-keys': {
      post: {
        tags: ['Admin'],
        summary: 'Create an API key (the secret is shown once)',
        security: admin,
        parameters: [tenantParam],
        requestBody: json(obj({ environment: { enum: ['production', 'development'] }, name: str() }, ['environment'])),
        responses: { ...ok('201', 'The key and its secret', obj({ apiKey: str(), secret: str(), environment: str() })), ...errors('400', '401', '404') },
      },
      get: { tags: ['Admin'], summary: 'List API keys (never secrets)', security: admin, parameters: [tenantParam], responses: { ...ok('200', '{items}', { type: 'object' }), ...errors('401', '404') } },
    },
    '/admin/tenants/{tenant}/api-keys/{apiKey}': {
      delete: { tags: ['Admin'], summary: 'Revoke an API key', security: admin, parameters: [tenantParam, pathParam('apiKey')], responses: { '204': { description: 'Revoked' }, ...errors('401', '404') } },
    },
    '/admin/tenants/{tenant}/clients': {
      post: {
        tags: ['Admin'],
        summary: 'Register an OAuth client (the secret is shown once)',
        security: admin,
        parameters: [tenantParam],
        requestBody: json(obj({ name: str(), grantTypes: { type: 'array', items: { enum: [...GRANT_TYPES] } }, redirectUris: { type: 'array', items: str() }, audiences: { type: 'array', items: str() }, scopes: { type: 'array', items: str() }, accessTokenTtl: { type: 'integer', maximum: 57600 }, public: { type: 'boolean' } }, ['grantTypes'])),
        responses: { ...ok('201', 'The client', { type: 'object' }), ...errors('400', '401', '404') },
      },
      get: { tags: ['Admin'], summary: 'List OAuth clients', security: admin, parameters: [tenantParam], responses: { ...ok('200', '{items}', { type: 'object' }), ...errors('401', '404') } },
    },
    '/admin/tenants/{tenant}/clients/{clientId}': {
      get: { tags: ['Admin'], summary: 'An OAuth client', security: admin, parameters: [tenantParam, pathParam('clientId')], responses: { ...ok('200', 'The client', { type: 'object' }), ...errors('401', '404') } },
      delete: { tags: ['Admin'], summary: 'Revoke an OAuth client', security: admin, parameters: [tenantParam, pathParam('clientId')], responses: { '204': { description: 'Revoked' }, ...errors('401', '404') } },
    },
    '/admin/tenants/{tenant}/clients/{clientId}/secret': {
      post: { tags: ['Admin'], summary: 'Rotate a client secret (the previous one keeps working for a grace period)', security: admin, parameters: [tenantParam, pathParam('clientId')], responses: { ...ok('201', 'The new secret', { type: 'object' }), ...errors('401', '404', '409') } },
    },
    '/admin/tenants/{tenant}/signing-keys': {
      get: { tags: ['Admin'], summary: 'List signing keys', security: admin, parameters: [tenantParam], responses: { ...ok('200', '{items}', { type: 'object' }), ...errors('401', '404') } },
    },
    '/admin/tenants/{tenant}/signing-keys/rotate': {
      post: { tags: ['Admin'], summary: 'Rotate now: next → active, active → retiring, a fresh next', security: admin, parameters: [tenantParam], responses: { ...ok('201', 'The new active key', { type: 'object' }), ...errors('401', '404') } },
    },
    '/admin/tenants/{tenant}/signing-keys/{kid}/revoke': {
      post: { tags: ['Admin'], summary: 'Revoke a compromised key: out of the JWKS at once (the active key is rotated out first)', security: admin, parameters: [tenantParam, pathParam('kid')], responses: { ...ok('200', 'The revoked key', { type: 'object' }), ...errors('401', '404', '409') } },
    },
    '/healthz': { get: { tags: ['Operations'], summary: 'Alive', responses: ok('200', 'Alive') } },
    '/readyz': { get: { tags: ['Operations'], summary: 'NATS connected and every service answering', responses: { ...ok('200', 'Ready'), ...errors('503') } } },
    '/metrics': { get: { tags: ['Operations'], summary: 'Prometheus metrics', responses: { '200': { description: 'Text exposition format', content: { 'text/plain': {} } } } } },
    '/docs': { get: { tags: ['Operations'], summary: 'This document (HTML for browsers, JSON otherwise)', responses: ok('200', 'OpenAPI') } },
    '/docs/openapi.json': { get: { tags: ['Operations'], summary: 'This document as JSON', responses: ok('200', 'OpenAPI') } },
  };
  return {
    openapi: '3.1.0',
    info: { title: 'roomkey', version: '0.1.0', description: 'Token authority for real-time video and live streaming. Errors: {error, message}; OAuth endpoints: {error, error_description}.' },
    servers: [{ url: publicUrl }],
    paths,
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'basic', description: 'API key as user name, its secret as password' },
        xApiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'The API key alone, where the tenant allows it' },
        adminToken: { type: 'http', scheme: 'bearer', description: 'ROOMKEY_ADMIN_TOKEN' },
        accessToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
      schemas: {
        Error: obj({ error: str(), message: str() }, ['error', 'message']),
        OAuthError: obj({ error: str(), error_description: str() }, ['error']),
      },
    },
  };
}

function tokenRequestSchema(): Schema {
  return obj({ grant_type: { enum: [...GRANT_TYPES] }, client_id: str(), client_secret: str(), audience: str(), scope: str() }, ['grant_type']);
}
