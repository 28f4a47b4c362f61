/**
 * The admin surface and the keys service's messages, each described once: tenants, API keys,
 * OAuth clients, signing keys and the JWKS (HTTP bodies and answers), and what the issuer asks the
 * keys service for. Request bodies refuse unknown fields; optional fields also accept `null` as
 * "absent", as they always have. Rules a schema cannot say (a redirect URI's loopback exception,
 * a public client's grants) stay as small checks in the keys service.
 */
import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import type { JWK } from 'jose';
import { AUDIENCE_PATTERN, ENVIRONMENTS } from '../claims';
import { OAUTH_CLIENT_TOKEN_LIFETIME } from '../lifetimes';
import { SIGNING_ALGORITHMS } from '../messages';
import { GRANT_TYPES, SCOPE_TOKEN_PATTERN } from '../oauth';
import { MEDIA_PLATFORMS } from '../profiles';
import { PERMISSIONS, ROLES, type RoleMatrix, type RoleMatrixOverride } from '../roles';
import { RequestBody, Type, type Static } from '../schema';
import { TENANT_SHORTCODE_PATTERN } from '../validation';

// Answers carry ISO 8601 timestamps; registered so that answers can be checked against their schemas too.
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (value) => !Number.isNaN(Date.parse(value)) && /^\d{4}-\d\d-\d\dT/.test(value));

const MAX_LIST = 50;

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

const Timestamp = (description = 'ISO 8601 UTC') => Type.String({ format: 'date-time', description });
const NullableTimestamp = (description: string) => Type.Union([Timestamp(), Type.Null()], { description });

export const EnvironmentSchema = OneOf(ENVIRONMENTS);
export const SigningAlgorithmSchema = OneOf(SIGNING_ALGORITHMS);
export const SigningKeyStateSchema = OneOf(['next', 'active', 'retiring', 'retired', 'revoked'] as const, {
  description: '`revoked`: taken out at once after a compromise (left the JWKS; its tokens stop verifying)',
});
export const GrantTypeSchema = OneOf(GRANT_TYPES);
const PermissionSchema = OneOf(PERMISSIONS);

/** A public JWK as published in the JWKS (`kty` always; the rest depends on the algorithm). */
export const PublicJwkSchema = Type.Unsafe<JWK>(
  Type.Object({ kty: Type.String(), kid: Type.Optional(Type.String()), alg: Type.Optional(Type.String()), use: Type.Optional(Type.String()) }, { additionalProperties: true }),
);

const permissionsOfEachRole = (optional: boolean) =>
  Object.fromEntries(ROLES.map((role) => [role, optional ? Type.Optional(Type.Array(PermissionSchema)) : Type.Array(PermissionSchema)]));

/** The effective role → permissions matrix (contract §2). */
export const RoleMatrixSchema = Type.Unsafe<RoleMatrix>(Type.Object(permissionsOfEachRole(false), { description: 'Each role and the permissions it grants' }));

// ---------------------------------------------------------------- tenants

export const CreateTenantBodySchema = RequestBody(
  {
    shortcode: Type.String({
      pattern: TENANT_SHORTCODE_PATTERN.source,
      errorMessage: "must be 2–63 characters of a–z, 0–9 and '-', starting with a letter or digit",
      description: 'The tenant id in every path and token (`tid`)',
    }),
    name: Type.String({ format: 'text-255', errorMessage: 'must be a string of 1–255 characters without control characters' }),
    loginUrl: Absentable(Type.String({ format: 'text-2048' }), 'must be an absolute http(s) URL of at most 2048 characters', 'Where roomkey sends users to sign in'),
    guestAccess: Absentable(Type.Boolean(), 'must be true or false', 'Guests may join with an invite (default false)'),
    anonymousAccess: Absentable(Type.Boolean(), 'must be true or false', 'Anonymous viewers may join (default false)'),
    signingAlg: Absentable(SigningAlgorithmSchema, `must be one of ${SIGNING_ALGORITHMS.join(', ')}`, 'Default ES256'),
    roleMatrix: Absentable(
      Type.Unsafe<RoleMatrixOverride>(Type.Object(permissionsOfEachRole(true), { additionalProperties: false })),
      `must be an object mapping roles (${ROLES.join(', ')}) to lists of permissions from ${PERMISSIONS.join(', ')}`,
      'Overrides of the default role matrix; roles left out keep their default permissions',
    ),
  },
  { title: 'CreateTenantBody' },
);
export type CreateTenantBody = Static<typeof CreateTenantBodySchema>;

export const TenantViewSchema = Type.Object(
  {
    shortcode: Type.String(),
    name: Type.String(),
    loginUrl: Type.Union([Type.String(), Type.Null()]),
    guestAccess: Type.Boolean(),
    anonymousAccess: Type.Boolean(),
    signingAlg: SigningAlgorithmSchema,
    roleMatrix: RoleMatrixSchema,
    createdAt: Timestamp(),
  },
  { title: 'TenantView' },
);
export type TenantView = Static<typeof TenantViewSchema>;

/** The tenant as the admin API answers it: the keys service's view plus its OIDC issuer URL. */
export const AdminTenantSchema = Type.Composite([TenantViewSchema, Type.Object({ issuer: Type.String({ description: "The tenant's OIDC issuer URL" }) })], {
  title: 'AdminTenant',
});
export type AdminTenant = Static<typeof AdminTenantSchema>;

// ---------------------------------------------------------------- API keys

export const CreateApiKeyBodySchema = RequestBody(
  {
    environment: OneOf(ENVIRONMENTS, { errorMessage: `must be one of ${ENVIRONMENTS.join(', ')}` }),
    name: Absentable(Type.String({ format: 'text-255' }), 'must be a string of 1–255 characters without control characters', 'A label for people'),
  },
  { title: 'CreateApiKeyBody' },
);
export type CreateApiKeyBody = Static<typeof CreateApiKeyBodySchema>;

export const ApiKeyViewSchema = Type.Object(
  {
    apiKey: Type.String(),
    environment: EnvironmentSchema,
    name: Type.Union([Type.String(), Type.Null()]),
    createdAt: Timestamp(),
    revokedAt: NullableTimestamp('null while the key works'),
    lastUsedAt: NullableTimestamp('Last authenticated use, to the minute (null: never used)'),
  },
  { title: 'ApiKeyView' },
);
export type ApiKeyView = Static<typeof ApiKeyViewSchema>;

export const CreatedApiKeySchema = Type.Object(
  {
    apiKey: Type.String(),
    secret: Type.String({ description: 'Shown once, here; roomkey keeps it encrypted and never shows it again' }),
    environment: EnvironmentSchema,
    name: Type.Union([Type.String(), Type.Null()]),
    createdAt: Timestamp(),
  },
  { title: 'CreatedApiKey' },
);
export type CreatedApiKey = Static<typeof CreatedApiKeySchema>;

// ---------------------------------------------------------------- OAuth clients

const REDIRECT_URI_HINT = 'absolute https URLs (or http on a loopback host) without fragment';

export const CreateClientBodySchema = RequestBody(
  {
    name: Absentable(Type.String({ format: 'text-255' }), 'must be a string of 1–255 characters without control characters'),
    grantTypes: Type.Array(GrantTypeSchema, {
      minItems: 1,
      maxItems: MAX_LIST,
      errorMessage: `must name 1–${MAX_LIST} grant types from ${GRANT_TYPES.join(', ')}`,
    }),
    redirectUris: Absentable(
      Type.Array(Type.String({ maxLength: 2048 }), { maxItems: MAX_LIST }),
      `must be an array of at most ${MAX_LIST} ${REDIRECT_URI_HINT}`,
      `Exact-match redirect URIs: ${REDIRECT_URI_HINT}; required for authorization_code`,
    ),
    audiences: Absentable(
      Type.Array(Type.String({ pattern: AUDIENCE_PATTERN.source }), { minItems: 1, maxItems: MAX_LIST }),
      `must be an array of 1–${MAX_LIST} audiences of 1–255 printable characters without spaces`,
      'Default ["roomkey"]',
    ),
    scopes: Absentable(
      Type.Array(Type.String({ pattern: SCOPE_TOKEN_PATTERN.source }), { maxItems: MAX_LIST }),
      `must be an array of at most ${MAX_LIST} scope tokens (printable ASCII without spaces, quotes or backslashes)`,
    ),
    accessTokenTtl: Absentable(
      Type.Integer({ minimum: 1, maximum: OAUTH_CLIENT_TOKEN_LIFETIME.max }),
      `must be a whole number of seconds from 1 to ${OAUTH_CLIENT_TOKEN_LIFETIME.max}`,
      `Seconds (default ${OAUTH_CLIENT_TOKEN_LIFETIME.default})`,
    ),
    public: Absentable(Type.Boolean(), 'must be true or false', 'A public client has no secret and may use only authorization_code and refresh_token'),
  },
  { title: 'CreateClientBody' },
);
export type CreateClientBody = Static<typeof CreateClientBodySchema>;

export const ClientViewSchema = Type.Object(
  {
    clientId: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    public: Type.Boolean(),
    grantTypes: Type.Array(GrantTypeSchema),
    redirectUris: Type.Array(Type.String()),
    audiences: Type.Array(Type.String()),
    scopes: Type.Array(Type.String()),
    accessTokenTtl: Type.Integer(),
    createdAt: Timestamp(),
    revokedAt: NullableTimestamp('null while the client works'),
  },
  { title: 'ClientView' },
);
export type ClientView = Static<typeof ClientViewSchema>;

export const CreatedClientSchema = Type.Composite(
  [ClientViewSchema, Type.Object({ clientSecret: Type.Optional(Type.String({ description: 'Confidential clients only; shown once' })) })],
  { title: 'CreatedClient' },
);
export type CreatedClient = Static<typeof CreatedClientSchema>;

export const RotatedClientSecretSchema = Type.Object(
  {
    clientId: Type.String(),
    clientSecret: Type.String({ description: 'Shown once' }),
    previousSecretValidUntil: Timestamp('Until when the previous secret keeps working (ISO 8601)'),
  },
  { title: 'RotatedClientSecret' },
);
export type RotatedClientSecret = Static<typeof RotatedClientSecretSchema>;

// ---------------------------------------------------------------- lifecycle: list and patch tenants, patch and rotate keys and clients

export const TENANT_PAGE = { default: 50, max: 100 } as const;
export const ROTATION_GRACE = { apiKeyDefault: 3600, max: 604_800 } as const;
/** A deleted tenant's shortcode stays taken this long: the longest token lifetime. */
export const DELETED_SHORTCODE_HOLD_SECONDS = 86_400;

export const ListTenantsQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: TENANT_PAGE.max, description: `Tenants per page, 1–${TENANT_PAGE.max} (default ${TENANT_PAGE.default})` })),
    cursor: Type.Optional(Type.String({ maxLength: 256, description: 'The previous page’s `nextCursor` (opaque)' })),
  },
  { title: 'ListTenantsQuery' },
);
export const ListTenantsRequestSchema = RequestBody({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: TENANT_PAGE.max, errorMessage: `must be a whole number from 1 to ${TENANT_PAGE.max}` })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 256, errorMessage: 'must be the nextCursor of a previous page' })),
});
export type ListTenantsRequest = Static<typeof ListTenantsRequestSchema>;
export const TenantPageSchema = Type.Object(
  {
    items: Type.Array(TenantViewSchema),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'null on the last page' }),
  },
  { title: 'TenantPage' },
);
export const AdminTenantPageSchema = Type.Object(
  { items: Type.Array(AdminTenantSchema), nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'null on the last page' }) },
  { title: 'AdminTenantPage' },
);

export const UpdateTenantBodySchema = RequestBody(
  {
    name: Type.Optional(Type.String({ format: 'text-255', errorMessage: 'must be a string of 1–255 characters without control characters' })),
    loginUrl: Type.Optional(
      Type.Union([Type.String({ format: 'text-2048' }), Type.Null()], {
        errorMessage: 'must be an absolute http(s) URL of at most 2048 characters, or null to remove it',
        description: 'null removes it',
      }),
    ),
    guestAccess: Type.Optional(Type.Boolean({ errorMessage: 'must be true or false' })),
    anonymousAccess: Type.Optional(Type.Boolean({ errorMessage: 'must be true or false' })),
    roleMatrix: Type.Optional(
      Type.Union([Type.Unsafe<RoleMatrixOverride>(Type.Object(permissionsOfEachRole(true), { additionalProperties: false })), Type.Null()], {
        errorMessage: `must be an object mapping roles (${ROLES.join(', ')}) to lists of permissions from ${PERMISSIONS.join(', ')}, or null`,
        description: 'Roles named get exactly these permissions; roles left out keep theirs; null restores the default matrix',
      }),
    ),
  },
  { title: 'UpdateTenantBody' },
);
export type UpdateTenantBody = Static<typeof UpdateTenantBodySchema>;

const GraceSeconds = (description: string) =>
  Type.Optional(Type.Integer({ minimum: 0, maximum: ROTATION_GRACE.max, errorMessage: `must be a whole number of seconds from 0 to ${ROTATION_GRACE.max}`, description }));

export const RotateApiKeyBodySchema = RequestBody(
  { graceSeconds: GraceSeconds(`How long the previous secret keeps working (default ${ROTATION_GRACE.apiKeyDefault})`) },
  { title: 'RotateApiKeyBody' },
);
export type RotateApiKeyBody = Static<typeof RotateApiKeyBodySchema>;

export const RotatedApiKeySchema = Type.Object(
  {
    apiKey: Type.String(),
    secret: Type.String({ description: 'Shown once' }),
    previousSecretValidUntil: Timestamp('Until when the previous secret keeps working (ISO 8601)'),
  },
  { title: 'RotatedApiKey' },
);
export type RotatedApiKey = Static<typeof RotatedApiKeySchema>;

export const UpdateApiKeyBodySchema = RequestBody(
  { name: Type.Union([Type.String({ format: 'text-255' }), Type.Null()], { errorMessage: 'must be a string of 1–255 characters without control characters, or null' }) },
  { title: 'UpdateApiKeyBody' },
);
export type UpdateApiKeyBody = Static<typeof UpdateApiKeyBodySchema>;

export const RotateClientSecretBodySchema = RequestBody(
  { graceSeconds: GraceSeconds('How long the previous secret keeps working (default ROOMKEY_CLIENT_SECRET_GRACE_SECONDS, 3600)') },
  { title: 'RotateClientSecretBody' },
);
export type RotateClientSecretBody = Static<typeof RotateClientSecretBodySchema>;

export const UpdateClientBodySchema = RequestBody(
  {
    name: CreateClientBodySchema.properties.name,
    grantTypes: Type.Optional(CreateClientBodySchema.properties.grantTypes),
    redirectUris: CreateClientBodySchema.properties.redirectUris,
    audiences: CreateClientBodySchema.properties.audiences,
    scopes: CreateClientBodySchema.properties.scopes,
    accessTokenTtl: CreateClientBodySchema.properties.accessTokenTtl,
  },
  { title: 'UpdateClientBody' },
);
export type UpdateClientBody = Static<typeof UpdateClientBodySchema>;

/** One key's use: at most once a minute per key and replica. */
export const ApiKeyUseSchema = Type.Object({ apiKey: Type.String({ maxLength: 64 }), usedAt: Type.Number() });
export type ApiKeyUse = Static<typeof ApiKeyUseSchema>;
/** Most uses in one report (an issuer sends more in several). */
export const MAX_API_KEY_USES_PER_REPORT = 500;
/**
 * The issuer's coarse report that keys were used, gathered for a second: with 10,000 busy keys, one
 * message and one transaction per key and minute cost the keys service 74 µs per token (npm run bench).
 * The single-key form is what issuers before it sent.
 */
export const ApiKeyUsedRequestSchema = Type.Union([
  Type.Object({ uses: Type.Array(ApiKeyUseSchema, { maxItems: MAX_API_KEY_USES_PER_REPORT }) }),
  ApiKeyUseSchema,
]);
export type ApiKeyUsedRequest = Static<typeof ApiKeyUsedRequestSchema>;

// ---------------------------------------------------------------- signing keys and JWKS

export const SigningKeyViewSchema = Type.Object(
  {
    kid: Type.String(),
    alg: SigningAlgorithmSchema,
    state: SigningKeyStateSchema,
    createdAt: Timestamp(),
    publicJwk: PublicJwkSchema,
  },
  { title: 'SigningKeyView' },
);
export type SigningKeyView = Static<typeof SigningKeyViewSchema>;

export const JwksSchema = Type.Object({ keys: Type.Array(PublicJwkSchema) }, { title: 'Jwks', description: 'RFC 7517 JSON Web Key Set' });
export type Jwks = Static<typeof JwksSchema>;

// ---------------------------------------------------------------- lists and empty answers

export const ItemsSchema = <S extends TSchema>(item: S, title: string) => Type.Object({ items: Type.Array(item) }, { title });
export const ApiKeyListSchema = ItemsSchema(ApiKeyViewSchema, 'ApiKeyList');
export const ClientListSchema = ItemsSchema(ClientViewSchema, 'ClientList');
export const SigningKeyListSchema = ItemsSchema(SigningKeyViewSchema, 'SigningKeyList');
export const EmptyResultSchema = Type.Object({}, { title: 'Empty' });

// ---------------------------------------------------------------- keys service: internal messages

/** Admin requests name the path's tenant; the keys service answers 404 for an unknown one. */
export const TenantScopedRequestSchema = Type.Object({ tenant: Type.String() });
export type TenantScopedRequest = Static<typeof TenantScopedRequestSchema>;

export const ApiKeyScopedRequestSchema = Type.Object({ tenant: Type.String(), apiKey: Type.String() });
export type ApiKeyScopedRequest = Static<typeof ApiKeyScopedRequestSchema>;

export const ClientScopedRequestSchema = Type.Object({ tenant: Type.String(), clientId: Type.String() });
export type ClientScopedRequest = Static<typeof ClientScopedRequestSchema>;

export const SigningKeyScopedRequestSchema = Type.Object({ tenant: Type.String(), kid: Type.String() });
export type SigningKeyScopedRequest = Static<typeof SigningKeyScopedRequestSchema>;

/** What an issuer caches to authenticate an API key without a database read. */
export const CredentialRecordSchema = Type.Object({
  apiKey: Type.String(),
  tenant: Type.String(),
  environment: EnvironmentSchema,
  secretHash: Type.String({ description: 'Keyed SHA-256 of the secret (hex); see @roomkey/crypto SecretHasher' }),
  secretCiphertext: Type.String({ description: 'The secret sealed under the master key (partner-signed HS256 tokens are verified with it)' }),
  revoked: Type.Boolean(),
  previousSecret: Type.Optional(
    Type.Object({ hash: Type.String(), validUntil: Type.Number({ description: 'ms' }) }, { description: 'After a rotation: the previous secret, valid until then' }),
  ),
});
export type CredentialRecord = Static<typeof CredentialRecordSchema>;

export const ResolveCredentialRequestSchema = Type.Object({ apiKey: Type.String() });
export type ResolveCredentialRequest = Static<typeof ResolveCredentialRequestSchema>;
export const ResolveCredentialResultSchema = Type.Object({
  credential: Type.Union([CredentialRecordSchema, Type.Null()], { description: 'null when no such API key exists' }),
});
export type ResolveCredentialResult = Static<typeof ResolveCredentialResultSchema>;

/** What an issuer caches to authenticate an OAuth client without a database read. */
export const ClientCredentialRecordSchema = Type.Object({
  clientId: Type.String(),
  tenant: Type.String(),
  public: Type.Boolean(),
  grantTypes: Type.Array(GrantTypeSchema),
  redirectUris: Type.Array(Type.String()),
  audiences: Type.Array(Type.String()),
  scopes: Type.Array(Type.String()),
  accessTokenTtl: Type.Integer(),
  secrets: Type.Array(
    Type.Object({ hash: Type.String(), validUntil: Type.Union([Type.Number(), Type.Null()], { description: 'ms; set for a rotated-out secret' }) }),
    { description: 'Keyed hashes of the secrets that authenticate it now' },
  ),
  revoked: Type.Boolean(),
});
export type ClientCredentialRecord = Static<typeof ClientCredentialRecordSchema>;

export const ResolveClientRequestSchema = Type.Object({ clientId: Type.String() });
export type ResolveClientRequest = Static<typeof ResolveClientRequestSchema>;
export const ResolveClientResultSchema = Type.Object({ client: Type.Union([ClientCredentialRecordSchema, Type.Null()]) });
export type ResolveClientResult = Static<typeof ResolveClientResultSchema>;

export const SigningMaterialKeySchema = Type.Object({
  kid: Type.String(),
  alg: SigningAlgorithmSchema,
  state: SigningKeyStateSchema,
  publicJwk: PublicJwkSchema,
  encryptedPrivateJwk: Type.Optional(Type.String({ description: 'The active key only: the private JWK sealed under the master key' })),
});
export type SigningMaterialKey = Static<typeof SigningMaterialKeySchema>;

/** A tenant's media-platform credentials as the issuer receives them: the secret stays sealed in transit. */
export const SealedMediaPlatformSchema = Type.Object({
  platform: OneOf(MEDIA_PLATFORMS),
  apiKey: Type.String(),
  encryptedSecret: Type.String({ description: "The platform's API secret sealed under the master key ({tenant}:{platform} as associated data)" }),
});
export type SealedMediaPlatform = Static<typeof SealedMediaPlatformSchema>;

export const SigningMaterialRequestSchema = TenantScopedRequestSchema;
export type SigningMaterialRequest = Static<typeof SigningMaterialRequestSchema>;
export const SigningMaterialResultSchema = Type.Object({
  tenant: TenantViewSchema,
  keys: Type.Array(SigningMaterialKeySchema),
  mediaPlatforms: Type.Optional(Type.Array(SealedMediaPlatformSchema, { description: 'Claim profiles: the platforms the tenant stored credentials for' })),
});
export type SigningMaterialResult = Static<typeof SigningMaterialResultSchema>;

// ---------------------------------------------------------------- media platforms (claim profiles, contract §3.1)

export const MediaPlatformSchema = OneOf(MEDIA_PLATFORMS, { description: 'livekit, getstream or videosdk', errorMessage: `must be one of ${MEDIA_PLATFORMS.join(', ')}` });

/** `PUT /admin/tenants/{t}/media-platforms/{platform}`: stored sealed, never returned. */
export const PutMediaPlatformBodySchema = RequestBody(
  {
    apiKey: Type.String({ pattern: '^[\\x21-\\x7E]{1,255}$', description: "The platform's API key (LiveKit `iss`, VideoSDK `apikey`)", errorMessage: 'must be 1–255 printable ASCII characters without spaces' }),
    apiSecret: Type.String({ pattern: '^[\\x21-\\x7E]{8,1024}$', description: "The platform's API secret (signs its tokens, HS256); sealed at rest, never returned", errorMessage: 'must be 8–1024 printable ASCII characters without spaces' }),
  },
  { title: 'PutMediaPlatformBody' },
);
export type PutMediaPlatformBody = Static<typeof PutMediaPlatformBodySchema>;

export const MediaPlatformScopedRequestSchema = Type.Object({ tenant: Type.String(), platform: MediaPlatformSchema });
export type MediaPlatformScopedRequest = Static<typeof MediaPlatformScopedRequestSchema>;
