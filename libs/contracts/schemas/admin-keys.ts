/**
 * Scoped admin credentials (contract §4): admin keys carry scopes and optionally one tenant; they
 * are sent as `Authorization: Bearer rk_admin_…`. Only the bootstrap token (ROOMKEY_ADMIN_TOKEN)
 * manages them, as Auth0 and Keycloak keep key management a top-level right.
 */
import type { TSchema } from '@sinclair/typebox';
import { RequestBody, Type, type Static } from '../schema';
import { TENANT_SHORTCODE_PATTERN } from '../validation';

export const ADMIN_SCOPES = ['tenants:read', 'tenants:write', 'keys:write', 'tokens:revoke', 'events:read', '*'] as const;
export type AdminScope = (typeof ADMIN_SCOPES)[number];
/** The actor of calls made with ROOMKEY_ADMIN_TOKEN (admin keys are named by their id). */
export const BOOTSTRAP_ACTOR = 'bootstrap';
/** The secret's prefix; `rk_admin_{id's random part}_{secret}` lets the keys service find the key by its id. */
export const ADMIN_KEY_SECRET_PREFIX = 'rk_admin_';
export const ADMIN_KEY_ID_PREFIX = 'adm_';
export const ADMIN_KEY_ID_PATTERN = /^adm_[A-Za-z0-9]{16}$/;

function Absentable<S extends TSchema>(schema: S, errorMessage: string, description?: string) {
  return Type.Optional(Type.Union([schema, Type.Null()], { errorMessage, ...(description ? { description } : {}) }));
}

const ScopeSchema = Type.Union(
  ADMIN_SCOPES.map((scope) => Type.Literal(scope)),
  { description: 'keys:write covers API keys, OAuth clients, signing keys, media platforms and webhooks; * is every scope' },
);

export const CreateAdminKeyBodySchema = RequestBody(
  {
    name: Absentable(Type.String({ format: 'text-255' }), 'must be a string of 1–255 characters without control characters', 'For people: what the key is for'),
    tenant: Absentable(
      Type.String({ pattern: TENANT_SHORTCODE_PATTERN.source }),
      'must be the shortcode of an existing tenant',
      'The one tenant the key may act on (another tenant answers 404); absent: every tenant',
    ),
    scopes: Type.Array(ScopeSchema, {
      minItems: 1,
      maxItems: ADMIN_SCOPES.length,
      uniqueItems: true,
      description: 'What the key may do',
      errorMessage: `must be a list of 1–${ADMIN_SCOPES.length} different scopes from ${ADMIN_SCOPES.join(', ')}`,
    }),
  },
  { title: 'CreateAdminKeyBody' },
);
export type CreateAdminKeyBody = Static<typeof CreateAdminKeyBodySchema>;

const AdminKeyFields = {
  id: Type.String({ description: 'Names the key in lists, URLs and events (`actor`)' }),
  name: Type.Union([Type.String(), Type.Null()]),
  tenant: Type.Union([Type.String(), Type.Null()], { description: 'null: every tenant' }),
  scopes: Type.Array(ScopeSchema),
  createdAt: Type.String({ format: 'date-time', description: 'ISO 8601 UTC' }),
};

export const AdminKeyViewSchema = Type.Object(
  { ...AdminKeyFields, revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'ISO 8601 UTC; null while valid' }) },
  { title: 'AdminKeyView' },
);
export type AdminKeyView = Static<typeof AdminKeyViewSchema>;
export const AdminKeyListSchema = Type.Object({ items: Type.Array(AdminKeyViewSchema) }, { title: 'AdminKeyList' });

export const CreatedAdminKeySchema = Type.Object(
  { ...AdminKeyFields, secret: Type.String({ description: 'Shown once: send it as `Authorization: Bearer rk_admin_…`' }) },
  { title: 'CreatedAdminKey' },
);
export type CreatedAdminKey = Static<typeof CreatedAdminKeySchema>;

// ---------------------------------------------------------------- internal (gateway ↔ keys)

export const AdminKeyScopedRequestSchema = Type.Object({ id: Type.String({ maxLength: 64 }) });
export const AuthenticateAdminKeyRequestSchema = Type.Object({ secret: Type.String({ maxLength: 256 }) });
/** The caller an admin key stands for, or `principal: null` for an unknown, wrong or revoked secret. */
export const AdminPrincipalSchema = Type.Object({ id: Type.String(), tenant: Type.Union([Type.String(), Type.Null()]), scopes: Type.Array(ScopeSchema) });
export type AdminPrincipal = Static<typeof AdminPrincipalSchema>;
export const AuthenticatedAdminKeySchema = Type.Object({ principal: Type.Union([AdminPrincipalSchema, Type.Null()]) });
