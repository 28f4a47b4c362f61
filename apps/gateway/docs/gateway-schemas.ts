/**
 * Schemas of what the gateway itself answers or reads from the URL (errors, path parameters,
 * discovery, health). Message bodies come from `@roomkey/contracts`; nothing here repeats them.
 */
import { CLIENT_AUTH_METHODS, IMPLEMENTED_GRANT_TYPES, SIGNING_ALGORITHMS, TENANT_SHORTCODE_PATTERN, Type } from '@roomkey/contracts';
import { FormatRegistry } from '@sinclair/typebox';

// So that answers can be checked against these schemas too (TypeBox refuses unknown formats).
if (!FormatRegistry.Has('uri')) FormatRegistry.Set('uri', (value) => URL.canParse(value));

const Strings = <T extends string>(values: readonly T[]) => Type.Array(Type.Union(values.map((value) => Type.Literal(value))));

/** Contract §4: every endpoint but the OAuth ones. */
export const ErrorSchema = Type.Object(
  {
    error: Type.String({ description: 'Machine-readable code: invalid_request, unauthorized, invalid_token, forbidden, not_found, conflict, gone, payload_too_large, rate_limited, unavailable' }),
    message: Type.String({ description: 'A sentence for people; names the field when the input is malformed' }),
  },
  { title: 'Error' },
);

/** RFC 6749 §5.2, answered by the OAuth endpoints. */
export const OAuthErrorSchema = Type.Object(
  {
    error: Type.String({ description: 'invalid_request, invalid_client, invalid_grant, unauthorized_client, unsupported_grant_type, invalid_scope, invalid_target, access_denied, rate_limited, unavailable' }),
    error_description: Type.String(),
  },
  { title: 'OAuthError' },
);

export const PathParameters = {
  tenant: Type.String({ pattern: TENANT_SHORTCODE_PATTERN.source, description: "The tenant's shortcode" }),
  apiKey: Type.String({ maxLength: 255, description: 'The API key (public part)' }),
  clientId: Type.String({ maxLength: 255, description: 'The OAuth client id' }),
  kid: Type.String({ maxLength: 255, description: 'The signing key id' }),
  userId: Type.String({ minLength: 1, description: "The partner's user id (`sub`), percent-encoded" }),
  id: Type.String({ maxLength: 64, description: "The admin key's id" }),
  webhookId: Type.String({ maxLength: 64, description: "The webhook's id (wh_…)" }),
  code: Type.String({ maxLength: 255, description: 'The invite code' }),
  challenge: Type.String({ maxLength: 255, description: 'The login challenge from the login URL' }),
  file: Type.String({ maxLength: 255, description: 'A file of the reference UI or of the web console' }),
  platform: Type.Union([Type.Literal('livekit'), Type.Literal('getstream'), Type.Literal('videosdk')], { description: 'The media platform (claim profile)' }),
} as const;

/** RFC 8414 §2 metadata, served at both the OIDC and the RFC 8414 well-known paths. */
export const AuthorizationServerMetadataSchema = Type.Object(
  {
    issuer: Type.String({ format: 'uri', description: '`{PUBLIC_URL}/realms/{tenant}`' }),
    authorization_endpoint: Type.String({ format: 'uri' }),
    token_endpoint: Type.String({ format: 'uri' }),
    introspection_endpoint: Type.String({ format: 'uri' }),
    revocation_endpoint: Type.String({ format: 'uri' }),
    jwks_uri: Type.String({ format: 'uri' }),
    grant_types_supported: Strings(IMPLEMENTED_GRANT_TYPES),
    response_types_supported: Strings(['code']),
    response_modes_supported: Strings(['query']),
    code_challenge_methods_supported: Strings(['S256']),
    authorization_response_iss_parameter_supported: Type.Boolean(),
    token_endpoint_auth_methods_supported: Strings(CLIENT_AUTH_METHODS),
    introspection_endpoint_auth_methods_supported: Strings(CLIENT_AUTH_METHODS),
    revocation_endpoint_auth_methods_supported: Strings(CLIENT_AUTH_METHODS),
    subject_types_supported: Strings(['public']),
    access_token_signing_alg_values_supported: Strings(SIGNING_ALGORITHMS),
  },
  { title: 'AuthorizationServerMetadata' },
);

export const HealthSchema = Type.Object({ status: Type.Literal('ok') }, { title: 'Health' });

const UpOrDown = Type.Union([Type.Literal('up'), Type.Literal('down')]);
const ServiceStates = Type.Object({ keys: UpOrDown, issuer: UpOrDown, identity: UpOrDown }, { description: 'Whether each service answered its ping within a second' });
const CheckState = Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('down')]);
const Checks = Type.Object({ nats: CheckState, issuance: CheckState, admin: CheckState, identity: CheckState }, { description: 'Each capability' });

export const ReadinessSchema = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')], { description: '`degraded`: tokens can be issued, but part of the system is away' }),
    checks: Checks,
    services: ServiceStates,
    message: Type.Optional(Type.String({ description: 'What is away, when degraded' })),
  },
  { title: 'Readiness' },
);

export const NotReadySchema = Type.Object(
  { error: Type.Literal('unavailable'), status: Type.Literal('down'), checks: Checks, services: ServiceStates, message: Type.String() },
  { title: 'NotReady', description: 'Tokens cannot be issued' },
);

export const PrometheusTextSchema = Type.String({ description: 'Prometheus text exposition format 0.0.4' });
export const HtmlSchema = Type.String({ description: 'An HTML page' });
export const OpenApiDocumentSchema = Type.Object({ openapi: Type.Literal('3.1.0') }, { title: 'OpenApiDocument', description: 'This document', additionalProperties: true });
export const AssetSchema = Type.String({ description: 'The file', contentEncoding: 'binary' });
