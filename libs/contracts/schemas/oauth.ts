/**
 * OAuth 2.0 endpoints (token, introspection, revocation, authorization) and the login-challenge API
 * (contract §4). The endpoints' form parameters are checked by the issuer with RFC 6749 errors
 * (`invalid_request` with `error_description`), so the messages between gateway and issuer carry
 * them loosely; the form schemas here describe them for the OpenAPI document.
 */
import type { TSchema } from '@sinclair/typebox';
import type { AccessTokenClaims } from '../claims';
import { ApiCallerSchema } from '../caller';
import { MAX_ROOMS } from '../lifetimes';
import { ROLES } from '../roles';
import { RequestBody, Type, type Static } from '../schema';
import { ROOM_ID_PATTERN } from '../validation';
import { AccessTokenClaimsObjectSchema, MetadataField, ProfileField } from './tokens';

function OneOf<T extends string>(values: readonly T[], options: { description?: string; errorMessage?: string } = {}) {
  return Type.Union(
    values.map((value) => Type.Literal(value)),
    options,
  );
}

/** An optional request field that also accepts `null` for "absent"; `errorMessage` covers both shapes. */
function Absentable<S extends TSchema>(schema: S, errorMessage: string, description?: string) {
  return Type.Optional(Type.Union([schema, Type.Null()], { errorMessage, ...(description ? { description } : {}) }));
}

const OptionalParam = (description: string) => Type.Optional(Type.String({ description }));
const CLIENT_AUTH_PARAMS = {
  client_id: OptionalParam('client_secret_post (or to name the client with client_secret_basic)'),
  client_secret: OptionalParam('client_secret_post; never together with HTTP Basic'),
};

// ---------------------------------------------------------------- the gateway → issuer envelope

/** Form parameters as parsed; a repeated parameter arrives as an array and is refused by the issuer. */
export const OAuthParamsSchema = Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String()), Type.Undefined()]));
export type OAuthParams = Static<typeof OAuthParamsSchema>;

export const OAuthEndpointRequestSchema = Type.Object(
  {
    tenant: Type.Optional(Type.String({ description: 'The realm in the path; absent for `/oauth/token`, where the client names its tenant' })),
    // Loose: each parameter is checked by the issuer, which answers RFC 6749 errors.
    params: Type.Unsafe<OAuthParams>(Type.Object({}, { additionalProperties: true })),
    basic: Type.Optional(Type.Object({ clientId: Type.String(), clientSecret: Type.String() }, { description: 'Decoded `Authorization: Basic` (client_secret_basic)' })),
    clientAddress: Type.Optional(Type.String()),
  },
  { title: 'OAuthEndpointRequest' },
);
export type OAuthEndpointRequest = Static<typeof OAuthEndpointRequestSchema>;

// ---------------------------------------------------------------- token endpoint

export const TokenRequestSchema = Type.Object(
  {
    grant_type: Type.String({ description: '`client_credentials`, `authorization_code`, `refresh_token` or `urn:ietf:params:oauth:grant-type:token-exchange` (RFC 8693)' }),
    ...CLIENT_AUTH_PARAMS,
    code: OptionalParam('authorization_code: the code from the redirect'),
    redirect_uri: OptionalParam('authorization_code: the redirect URI of the authorization request'),
    code_verifier: OptionalParam('authorization_code: the PKCE verifier'),
    refresh_token: OptionalParam('refresh_token: the refresh token'),
    scope: OptionalParam('Space-separated scopes, within the client’s'),
    audience: OptionalParam('One of the client’s audiences (`/oauth/token`: required unless the client has one); token exchange: the subject token’s or one of the client’s'),
    subject_token: OptionalParam('token exchange (RFC 8693): a roomkey access token of the tenant, or a partner-signed HS256 token'),
    subject_token_type: OptionalParam('token exchange: `urn:ietf:params:oauth:token-type:access_token` or `urn:ietf:params:oauth:token-type:jwt`'),
    requested_token_type: OptionalParam('token exchange: `urn:ietf:params:oauth:token-type:access_token` (the only one issued)'),
    resource: Type.Optional(
      Type.Union([Type.String(), Type.Array(Type.String())], { description: 'token exchange: a room id, repeatable; each among the subject token’s rooms' }),
    ),
    role: OptionalParam('token exchange (roomkey extension): a role at most the subject token’s'),
  },
  { title: 'TokenRequest', description: 'Form parameters of the token endpoint' },
);
export type TokenRequest = Static<typeof TokenRequestSchema>;

export const TokenEndpointResultSchema = Type.Object(
  {
    access_token: Type.String(),
    expires_in: Type.Integer(),
    refresh_expires_in: Type.Integer({ description: '0 without a refresh token' }),
    token_type: Type.Literal('Bearer'),
    'not-before-policy': Type.Literal(0),
    scope: Type.String(),
    refresh_token: Type.Optional(Type.String({ description: 'Where granted; client_credentials never gets one' })),
    issued_token_type: Type.Optional(Type.String({ description: 'Token exchange (RFC 8693): `urn:ietf:params:oauth:token-type:access_token`' })),
    profile: Type.Optional(Type.String({ description: 'A login accepted with a claim profile: the shape of `access_token` (`livekit`, `getstream`, `videosdk`)' })),
  },
  { title: 'TokenEndpointResult' },
);
export type TokenEndpointResult = Static<typeof TokenEndpointResultSchema>;

// ---------------------------------------------------------------- introspection and revocation

export const IntrospectionRequestSchema = Type.Object(
  { token: Type.String(), token_type_hint: OptionalParam('Ignored'), ...CLIENT_AUTH_PARAMS },
  { title: 'IntrospectionRequest' },
);
export type IntrospectionRequest = Static<typeof IntrospectionRequestSchema>;

export const IntrospectionResultSchema = Type.Unsafe<{ active: false } | ({ active: true; token_type: 'Bearer' } & AccessTokenClaims)>(
  Type.Union(
    [
      Type.Object({ active: Type.Literal(false) }),
      Type.Composite([Type.Object({ active: Type.Literal(true), token_type: Type.Literal('Bearer') }), AccessTokenClaimsObjectSchema]),
    ],
    { title: 'IntrospectionResult', description: 'RFC 7662: `{active: false}` for anything not valid' },
  ),
);
export type IntrospectionResult = Static<typeof IntrospectionResultSchema>;

export const RevocationRequestSchema = Type.Object(
  { token: Type.String(), token_type_hint: OptionalParam('Ignored'), ...CLIENT_AUTH_PARAMS },
  { title: 'RevocationRequest' },
);
export type RevocationRequest = Static<typeof RevocationRequestSchema>;

/** RFC 7009: 200 with an empty body, also for tokens that are already invalid. */
export const RevocationResultSchema = Type.Object({}, { title: 'RevocationResult' });

// ---------------------------------------------------------------- authorization endpoint

export const AuthorizeRequestSchema = Type.Object(
  {
    tenant: Type.String(),
    // Unvalidated query parameters: until the client and redirect URI are known good, errors are pages, not 400s.
    query: Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String()), Type.Undefined()])),
  },
  { title: 'AuthorizeRequest' },
);
export type AuthorizeRequest = Static<typeof AuthorizeRequestSchema>;

export const AuthorizeQuerySchema = Type.Object(
  {
    response_type: Type.Literal('code'),
    client_id: Type.String(),
    redirect_uri: OptionalParam('Exactly as registered; may be left out when the client has one'),
    code_challenge: Type.String({ description: 'PKCE S256 challenge (43–128 characters)' }),
    code_challenge_method: Type.Literal('S256'),
    scope: OptionalParam('Space-separated scopes'),
    audience: OptionalParam('One of the client’s audiences'),
    state: OptionalParam('Returned to the client unchanged'),
  },
  { title: 'AuthorizeQuery' },
);

/** Redirect the browser, or show an error page (the client or redirect URI cannot be trusted, RFC 6749 §4.1.2.1). */
export const AuthorizeResultSchema = Type.Union(
  [
    Type.Object({ redirectTo: Type.String() }),
    Type.Object({ errorPage: Type.Object({ error: Type.String(), error_description: Type.String() }) }),
  ],
  { title: 'AuthorizeResult' },
);
export type AuthorizeResult = Static<typeof AuthorizeResultSchema>;

// ---------------------------------------------------------------- login requests

/** Error codes a partner's login app may answer with (RFC 6749 §4.1.2.1 and OpenID Connect). */
export const LOGIN_REJECTION_ERRORS = ['access_denied', 'login_required', 'interaction_required', 'consent_required', 'temporarily_unavailable', 'server_error'] as const;
const MAX_ERROR_DESCRIPTION = 500;

export const LoginRequestViewSchema = Type.Object(
  {
    challenge: Type.String(),
    tenant: Type.String(),
    clientId: Type.String(),
    redirectUri: Type.String(),
    requestedScope: Type.Array(Type.String()),
    requestedAudience: Type.Union([Type.String(), Type.Null()]),
    state: OneOf(['created', 'accepted', 'rejected', 'code_issued', 'code_used'] as const),
    expiresAt: Type.String({ format: 'date-time' }),
  },
  { title: 'LoginRequestView' },
);
export type LoginRequestView = Static<typeof LoginRequestViewSchema>;

/** Between gateway and issuer: the challenge in the path and the unvalidated body (checked once the
 * challenge is found for the caller's tenant), beside the caller's credentials. */
export const LoginRequestCallSchema = Type.Composite([Type.Object({ challenge: Type.String(), body: Type.Optional(Type.Unknown()) }), ApiCallerSchema], {
  title: 'LoginRequestCall',
});
export type LoginRequestCall = Static<typeof LoginRequestCallSchema>;

export const AcceptLoginRequestBodySchema = RequestBody(
  {
    subject: Type.String({ format: 'text-255', description: "The user's id (`sub`); `!anon` is reserved", errorMessage: 'must be a string of 1–255 characters without control characters' }),
    role: Absentable(OneOf(ROLES), `must be one of ${ROLES.join(', ')}`, 'The role, within what the client may grant'),
    rooms: Absentable(
      Type.Array(Type.String({ pattern: ROOM_ID_PATTERN.source }), { minItems: 1, maxItems: MAX_ROOMS }),
      `must be an array of 1–${MAX_ROOMS} room ids of 1–128 characters from A–Z, a–z, 0–9 and . _ : -`,
      'Rooms the token is good for; absent: every room',
    ),
    metadata: MetadataField(),
    profile: ProfileField(),
  },
  { title: 'AcceptLoginRequestBody' },
);
export type AcceptLoginRequestBody = Static<typeof AcceptLoginRequestBodySchema>;
export const AcceptLoginBodySchema = AcceptLoginRequestBodySchema;

export const RejectLoginRequestBodySchema = RequestBody(
  {
    error: OneOf(LOGIN_REJECTION_ERRORS, { description: 'Sent to the client as `error`' }),
    error_description: Absentable(
      Type.String({ minLength: 1, maxLength: MAX_ERROR_DESCRIPTION, pattern: '^[^\\u0000-\\u001F\\u007F-\\u009F]*$' }),
      `must be 1–${MAX_ERROR_DESCRIPTION} characters long, without control characters`,
      'Sent to the client as `error_description`',
    ),
  },
  { title: 'RejectLoginRequestBody' },
);
export type RejectLoginRequestBody = Static<typeof RejectLoginRequestBodySchema>;
export const RejectLoginBodySchema = RejectLoginRequestBodySchema;

export const LoginRequestRedirectSchema = Type.Object(
  { redirectTo: Type.String({ description: "The client's redirect URI with a one-time code, or with the error" }) },
  { title: 'LoginRequestRedirect' },
);
export type LoginRequestRedirect = Static<typeof LoginRequestRedirectSchema>;
