/**
 * Access tokens (contract §3–5): CreateAccessToken, verify and revoke with an API key, and the
 * issuer's internal messages (authenticate an API key, mint, verify). Optional request fields also
 * accept `null` for "absent", as they always have. Limits that depend on the caller (a development
 * key's rooms and lifetime, the reserved `!anon`) are checked by the issuer after validation.
 */
import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { ENVIRONMENTS, MAX_METADATA_BYTES, TOKEN_KINDS, type AccessTokenClaims, type TokenContent } from '../claims';
import type { TenantView } from '../messages';
import type { PartnerTokenClaims } from '../oauth';
import { API_KEY_TOKEN_LIFETIME, MAX_ROOMS, MAX_TOKEN_LIFETIME_SECONDS } from '../lifetimes';
import { PERMISSIONS, ROLES } from '../roles';
import { CLAIM_PROFILES, MEDIA_PLATFORMS, type ProfileTokenClaims } from '../profiles';
import { ApiCallerSchema } from '../caller';
import { RequestBody, Type, type Static } from '../schema';
import { ROOM_ID_PATTERN, TENANT_SHORTCODE_PATTERN } from '../validation';

// Answers carry ISO 8601 timestamps; registered so that answers can be checked against their schemas too.
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (value) => !Number.isNaN(Date.parse(value)) && /^\d{4}-\d\d-\d\dT/.test(value));


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

const TEXT_255 = 'must be a string of 1–255 characters without control characters';
const ROOMS_HINT = `must be an array of 1–${MAX_ROOMS} room ids of 1–128 characters from A–Z, a–z, 0–9 and . _ : -`;

const RoleSchema = OneOf(ROLES);
const PermissionSchema = OneOf(PERMISSIONS);
const RoomIds = () => Type.Array(Type.String({ pattern: ROOM_ID_PATTERN.source }), { minItems: 1, maxItems: MAX_ROOMS });
// Any string: one that cannot be a token (too long, control characters, not canonical JWS) is an
// invalid token (401 / inactive, contract §4), which the verifier decides (assertTokenShape).
const TokenString = (description: string) => Type.String({ minLength: 1, description, errorMessage: 'must be a non-empty string' });

/**
 * `metadata` (contract §3): partner data carried as the token's `metadata` claim. The schema checks
 * the shape; the size (at most MAX_METADATA_BYTES serialized) is checked where the token is built
 * (parseTokenContent), with a 400 naming `metadata` too.
 */
export const METADATA_HINT = `must be a JSON object of at most ${MAX_METADATA_BYTES} bytes serialized`;
export const MetadataField = () =>
  Absentable(Type.Record(Type.String(), Type.Unknown()), METADATA_HINT, `Partner data carried in the token as its \`metadata\` claim (a JSON object, at most ${MAX_METADATA_BYTES} bytes as JSON)`);

/** `profile` (contract §3.1): the token's shape; a media platform's needs the tenant's stored credentials for it. */
export const PROFILE_HINT = `must be one of ${CLAIM_PROFILES.join(', ')}`;
export const ProfileField = () =>
  Absentable(
    OneOf(CLAIM_PROFILES),
    PROFILE_HINT,
    "The token's shape: `roomkey` (default) or a media platform's own (`livekit`, `getstream`, `videosdk`), signed HS256 with the tenant's stored secret for it",
  );
/** Answers say which shape `accessToken` has. */
export const ProfileAnswer = () => Type.Optional(OneOf(CLAIM_PROFILES, { description: 'The shape of `accessToken` (the requested profile)' }));

// ---------------------------------------------------------------- CreateAccessToken

const production = API_KEY_TOKEN_LIFETIME.production;
const development = API_KEY_TOKEN_LIFETIME.development;

export const CreateAccessTokenBodySchema = RequestBody(
  {
    userId: Type.String({ format: 'text-255', description: "The partner's user id (`sub`); `!anon` is reserved", errorMessage: TEXT_255 }),
    role: OneOf(ROLES, { description: 'The role; the token carries its permissions from the tenant’s role matrix' }),
    rooms: Absentable(RoomIds(), ROOMS_HINT, 'Rooms the token is good for; required (1–10) from a development API key; absent: every room'),
    ttlSeconds: Absentable(
      Type.Integer({ minimum: 1, maximum: production.max }),
      `must be a whole number of seconds from 1 to ${production.max}`,
      `Token lifetime; default ${production.default}, at most ${production.max} (${development.max} from a development API key)`,
    ),
    name: Absentable(Type.String({ format: 'text-255' }), TEXT_255, 'Display name carried in the token'),
    image: Absentable(Type.String({ format: 'text-255' }), TEXT_255, 'Image URL carried in the token'),
    metadata: MetadataField(),
    profile: ProfileField(),
  },
  { title: 'CreateAccessTokenBody' },
);
export type CreateAccessTokenBody = Static<typeof CreateAccessTokenBodySchema>;

/** Public NATS requests carry the caller's credentials beside the body (contract §5); the handler splits them. */
function withCaller<B extends ReturnType<typeof RequestBody>>(body: B, title: string) {
  return Type.Composite([body, ApiCallerSchema], { additionalProperties: false, title });
}

export const CreateAccessTokenRequestSchema = withCaller(CreateAccessTokenBodySchema, 'CreateAccessTokenRequest');
export type CreateAccessTokenRequest = Static<typeof CreateAccessTokenRequestSchema>;

export const CreateAccessTokenResultSchema = Type.Object(
  {
    accessToken: Type.String(),
    tokenType: Type.Literal('Bearer'),
    expiresIn: Type.Integer({ description: 'Seconds until the token expires' }),
    expiresAt: Type.String({ format: 'date-time', description: 'ISO 8601 UTC' }),
    role: RoleSchema,
    permissions: Type.Array(PermissionSchema),
    profile: ProfileAnswer(),
  },
  { title: 'CreateAccessTokenResult' },
);
export type CreateAccessTokenResult = Static<typeof CreateAccessTokenResultSchema>;

// ---------------------------------------------------------------- claims

const OptionalString = (description?: string) => Type.Optional(Type.String(description ? { description } : {}));

/** What a caller may ask the issuer to put in a token (TokenContent); `parseTokenContent` holds the full rules. */
export const TokenContentSchema = Type.Unsafe<TokenContent>(
  Type.Object(
    {
      sub: Type.String(),
      kind: OneOf(TOKEN_KINDS),
      client_id: Type.String({ description: 'The API key or OAuth client that asked' }),
      aud: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description: 'Default `roomkey`' })),
      nbf: Type.Optional(Type.Integer({ minimum: 0 })),
      role: Type.Optional(RoleSchema),
      rooms: Type.Optional(RoomIds()),
      env: Type.Optional(OneOf(ENVIRONMENTS)),
      scope: OptionalString('Space-separated scope tokens'),
      name: OptionalString(),
      image: OptionalString(),
      anon_id: OptionalString('Anonymous tokens only'),
      act: Type.Optional(Type.Object({ sub: Type.String(), act: Type.Optional(Type.Object({}, { additionalProperties: true })) }, { description: 'RFC 8693 actor (who invited a guest, or the client that exchanged the token; earlier actors nest in `act`)' })),
      metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Partner data, at most 2048 bytes as JSON' })),
    },
    { title: 'TokenContent', additionalProperties: false },
  ),
);

/** A verified roomkey access token's claims (contract §3, RFC 9068 profile), as an object to compose. */
export const AccessTokenClaimsObjectSchema = Type.Object(
  {
    iss: Type.String(),
    sub: Type.String(),
    aud: Type.Union([Type.String(), Type.Array(Type.String())]),
    iat: Type.Integer(),
    exp: Type.Integer(),
    nbf: Type.Optional(Type.Integer()),
    jti: Type.String(),
    tid: Type.String({ description: 'The tenant' }),
    client_id: Type.String(),
    kind: OneOf(TOKEN_KINDS),
    role: Type.Optional(RoleSchema),
    perms: Type.Optional(Type.Array(PermissionSchema)),
    rooms: Type.Optional(Type.Array(Type.String())),
    env: Type.Optional(OneOf(ENVIRONMENTS)),
    scope: OptionalString(),
    name: OptionalString(),
    image: OptionalString(),
    anon_id: OptionalString(),
    act: Type.Optional(Type.Object({ sub: Type.String(), act: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'An earlier actor (RFC 8693 §4.1)' })) })),
    metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { title: 'AccessTokenClaims' },
);
/** Typed as the claims interface verifiers return (parseAccessTokenClaims). */
export const AccessTokenClaimsSchema = Type.Unsafe<AccessTokenClaims>(AccessTokenClaimsObjectSchema);

/** A partner-signed (VideoSDK-style, HS256) token as `/v1/tokens/verify` reports it. */
export const PartnerTokenClaimsSchema = Type.Unsafe<PartnerTokenClaims>(
  Type.Object(
  {
    apikey: Type.String({ description: 'The API key whose secret signed the token' }),
    tid: Type.String(),
    perms: Type.Array(Type.String()),
    rooms: Type.Optional(Type.Array(Type.String())),
    env: OneOf(ENVIRONMENTS),
    kind: Type.Literal('partner'),
  },
    { title: 'PartnerTokenClaims', additionalProperties: true },
  ),
);

/** A roomkey-issued claim-profile token (LiveKit, GetStream, VideoSDK shape) as `/v1/tokens/verify` reports it. */
export const ProfileTokenClaimsSchema = Type.Unsafe<ProfileTokenClaims>(
  Type.Object(
    {
      profile: OneOf(MEDIA_PLATFORMS, { description: 'The platform whose shape the token has' }),
      tid: Type.String(),
      jti: Type.String(),
      iat: Type.Integer(),
      exp: Type.Integer(),
    },
    { title: 'ProfileTokenClaims', additionalProperties: true, description: "The platform's own claims (e.g. LiveKit `video`, GetStream `call_cids`, VideoSDK `permissions`) with `tid` and `profile`" },
  ),
);

// ---------------------------------------------------------------- verify and revoke with an API key

export const VerifyTokenBodySchema = RequestBody({ token: TokenString('A roomkey access token or a partner-signed HS256 token') }, { title: 'VerifyTokenBody' });
export type VerifyTokenBody = Static<typeof VerifyTokenBodySchema>;
export const VerifyTokenRequestSchema = withCaller(VerifyTokenBodySchema, 'VerifyTokenRequest');
export type VerifyTokenRequest = Static<typeof VerifyTokenRequestSchema>;

export const VerifyTokenResultSchema = Type.Object(
  { active: Type.Literal(true), claims: Type.Union([AccessTokenClaimsSchema, PartnerTokenClaimsSchema, ProfileTokenClaimsSchema]) },
  { title: 'VerifyTokenResult' },
);
export type VerifyTokenResult = Static<typeof VerifyTokenResultSchema>;

/** A token id (`jti`). */
export const JTI_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** Exactly one of `token` and `jti` (checked by the issuer, which names the field). */
export const RevokeTokenBodySchema = RequestBody(
  {
    token: Type.Optional(TokenString('The token to revoke')),
    jti: Type.Optional(Type.String({ pattern: JTI_PATTERN.source, description: 'The id of the token to revoke', errorMessage: 'must be a token id (letters, digits, - and _)' })),
  },
  { title: 'RevokeTokenBody', description: "Send exactly one of 'token' or 'jti'" },
);
export type RevokeTokenBody = Static<typeof RevokeTokenBodySchema>;
export const RevokeTokenRequestSchema = withCaller(RevokeTokenBodySchema, 'RevokeTokenRequest');
export type RevokeTokenRequest = Static<typeof RevokeTokenRequestSchema>;

export const RevokeTokenResultSchema = Type.Object({ revoked: Type.Literal(true), jti: Type.String() }, { title: 'RevokeTokenResult' });
export type RevokeTokenResult = Static<typeof RevokeTokenResultSchema>;

// ---------------------------------------------------------------- revocation by user and by tenant (iat cut-offs)

const IssuedBefore = () =>
  Absentable(
    Type.String({ format: 'date-time' }),
    'must be an ISO 8601 date and time (e.g. 2026-01-31T12:00:00Z), not in the future',
    'Tokens issued (`iat`) before this time are refused; default now',
  );

export const RevokeBeforeBodySchema = RequestBody({ issuedBefore: IssuedBefore() }, { title: 'RevokeBeforeBody' });
export type RevokeBeforeBody = Static<typeof RevokeBeforeBodySchema>;

/** `POST /v1/users/{userId}/revoke`: the path's user id travels in the body. */
export const RevokeUserTokensRequestSchema = Type.Composite(
  [RevokeBeforeBodySchema, ApiCallerSchema, Type.Object({ userId: Type.String({ format: 'text-255', errorMessage: TEXT_255 }) })],
  { additionalProperties: false, title: 'RevokeUserTokensRequest' },
);
export type RevokeUserTokensRequest = Static<typeof RevokeUserTokensRequestSchema>;
export const RevokedUserTokensSchema = Type.Object(
  { userId: Type.String(), issuedBefore: Type.String({ format: 'date-time', description: 'ISO 8601 UTC' }) },
  { title: 'RevokedUserTokens' },
);
export type RevokedUserTokens = Static<typeof RevokedUserTokensSchema>;

/** Internal (admin): every token of `tenant` issued before the cut-off; the issuer checks `body` with RevokeBeforeBodySchema (so a failure names its field). */
export const RevokeTenantTokensRequestSchema = Type.Object(
  { tenant: Type.String(), body: Type.Unsafe<RevokeBeforeBody>(Type.Unknown({ description: 'RevokeBeforeBody' })) },
  { title: 'RevokeTenantTokensRequest' },
);
export const RevokedTenantTokensSchema = Type.Object(
  { tenant: Type.String(), issuedBefore: Type.String({ format: 'date-time', description: 'ISO 8601 UTC' }) },
  { title: 'RevokedTenantTokens' },
);
export type RevokedTenantTokens = Static<typeof RevokedTenantTokensSchema>;

// ---------------------------------------------------------------- internal issuer messages

/** Internal: authenticate an API key for another service. Without `secret`, the key is only looked
 * up (X-Api-Key-alone access, allowed when the tenant switches it on). Malformed credentials are a
 * 401 from authentication, never a 400, so every field is loose here. */
export const AuthenticateApiKeyRequestSchema = Type.Object(
  {
    apiKey: Type.String(),
    secret: Type.Optional(Type.String()),
    clientAddress: Type.Optional(Type.String({ description: "The end client's address, for brute-force limits" })),
  },
  { title: 'AuthenticateApiKeyRequest' },
);
export type AuthenticateApiKeyRequest = Static<typeof AuthenticateApiKeyRequestSchema>;

export const AuthenticatedApiKeySchema = Type.Object(
  {
    apiKey: Type.String(),
    environment: OneOf(ENVIRONMENTS),
    secretVerified: Type.Boolean({ description: 'Whether the secret was checked (false for an X-Api-Key-alone look-up)' }),
    // The keys service's tenant view, described with the admin messages.
    tenant: Type.Unsafe<TenantView>(Type.Object({}, { additionalProperties: true, description: 'The tenant (TenantView)' })),
  },
  { title: 'AuthenticatedApiKey' },
);
export type AuthenticatedApiKey = Static<typeof AuthenticatedApiKeySchema>;

/** Internal: sign a token for `tenant` with its active key; the caller has authorised it. */
export const MintTokenRequestSchema = RequestBody(
  {
    tenant: Type.String({ pattern: TENANT_SHORTCODE_PATTERN.source, errorMessage: 'must be a tenant shortcode' }),
    ttlSeconds: Type.Integer({ minimum: 1, maximum: MAX_TOKEN_LIFETIME_SECONDS, errorMessage: `must be a whole number of seconds from 1 to ${MAX_TOKEN_LIFETIME_SECONDS}` }),
    // Checked by parseTokenContent, whose sentences name the claim ("Claim 'iss' is set by the issuer …").
    claims: Type.Unsafe<TokenContent>(Type.Object({}, { additionalProperties: true, description: 'TokenContent: what a caller may set', errorMessage: 'must be a JSON object' })),
    profile: ProfileField(),
  },
  { title: 'MintTokenRequest' },
);
export type MintTokenRequest = Static<typeof MintTokenRequestSchema>;

export const MintedTokenSchema = Type.Object(
  {
    accessToken: Type.String(),
    expiresIn: Type.Integer(),
    expiresAt: Type.String({ format: 'date-time' }),
    /** roomkey's claims the token was made from (a profile token shares their jti, iat and exp). */
    claims: AccessTokenClaimsSchema,
    profile: ProfileAnswer(),
  },
  { title: 'MintedToken' },
);
export type MintedToken = Static<typeof MintedTokenSchema>;

/** Internal: verify a roomkey access token; the tenant is the token's own `tid` unless given (an
 * unusable tenant is an invalid token, 401). */
export const VerifyAccessTokenRequestSchema = Type.Object(
  { token: TokenString('A roomkey access token'), tenant: Type.Optional(Type.String()) },
  { title: 'VerifyAccessTokenRequest' },
);
export type VerifyAccessTokenRequest = Static<typeof VerifyAccessTokenRequestSchema>;

export const VerifiedAccessTokenSchema = Type.Object({ claims: AccessTokenClaimsSchema }, { title: 'VerifiedAccessToken' });
export type VerifiedAccessToken = Static<typeof VerifiedAccessTokenSchema>;
