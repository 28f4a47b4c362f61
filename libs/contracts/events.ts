/**
 * Events (contract §5): published on JetStream as `{ns}.v1.events.{tenant}.{type}`. They carry
 * identifiers only (`jti`, `kid`, `apiKey`, `clientId`), never secrets or tokens. Each type has its
 * own fields; `RoomkeyEvent` is the discriminated union a subscriber switches on.
 */

/** The fields each event type carries besides the envelope (id, type, tenant, occurredAt). */
export interface EventFieldsByType {
  'tenant.created': Record<string, never>;
  'api-key.created': { apiKey: string };
  'api-key.revoked': { apiKey: string };
  'signing-key.rotated': { kid: string; previousKid?: string };
  'signing-key.retired': { kid: string };
  'signing-key.revoked': { kid: string };
  /** `exp`: the token's expiry (seconds since the epoch), so a subscriber knows how long to remember it. */
  'token.revoked': { jti: string; exp: number };
  'client.created': { clientId: string };
  'client.secret-rotated': { clientId: string };
  'client.revoked': { clientId: string };
  /** `fields`: the names of what changed. */
  'tenant.updated': { fields: string[] };
  'tenant.deleted': Record<string, never>;
  'api-key.rotated': { apiKey: string };
  'api-key.updated': { apiKey: string };
  'client.updated': { clientId: string };
  'guest.created': { apiKey: string; jti: string; exp: number };
  /** Every token of the tenant (or of `userId`) with `iat` before `issuedBefore` (ISO 8601) is refused. */
  'tokens.revoked-before': { userId?: string; issuedBefore: string };
  /** Admin keys: published under their tenant, or ADMIN_EVENTS_TENANT for keys of every tenant. */
  'admin-key.created': { adminKeyId: string };
  'admin-key.revoked': { adminKeyId: string };
  'invite.created': { inviteId: string; jti: string };
  'invite.redeemed': { inviteId: string; jti: string; exp: number };
  /**
   * A refused credential (audit trail): `actor` is the API key or client id that was tried (never
   * the secret), `reason` says why in words; at most one a second per identifier is published.
   */
  'auth.failed': { actor: string; credential: 'api-key' | 'client'; reason: string; address?: string };
  /** Requests refused with 429 until `retryAfterSeconds` pass; once per block. `limit` names what was over. */
  'auth.throttled': { actor: string; limit: string; retryAfterSeconds: number; address?: string };
  /** A webhook endpoint registered or removed (admin changes: they name their `actor`); never its secret. */
  'webhook.created': { webhookId: string; url: string; events: string[] };
  'webhook.deleted': { webhookId: string };
}

export type EventType = keyof EventFieldsByType;

export const EVENT_TYPES = [
  'tenant.created',
  'api-key.created',
  'api-key.revoked',
  'signing-key.rotated',
  'signing-key.retired',
  'signing-key.revoked',
  'token.revoked',
  'client.created',
  'client.secret-rotated',
  'client.revoked',
  'tenant.updated',
  'tenant.deleted',
  'api-key.rotated',
  'api-key.updated',
  'client.updated',
  'guest.created',
  'tokens.revoked-before',
  'admin-key.created',
  'admin-key.revoked',
  'invite.created',
  'invite.redeemed',
  'auth.failed',
  'auth.throttled',
  'webhook.created',
  'webhook.deleted',
] as const satisfies readonly EventType[];

/**
 * The events a verifier needs to refuse tokens (GET /realms/{t}/revocations follows these): a
 * token, a user's or the tenant's tokens before a time, a signing key, an API key.
 */
export const REVOCATION_EVENT_TYPES = ['token.revoked', 'tokens.revoked-before', 'signing-key.revoked', 'api-key.revoked'] as const satisfies readonly EventType[];
export type RevocationEventType = (typeof REVOCATION_EVENT_TYPES)[number];

export type EventFields<K extends EventType> = EventFieldsByType[K];

export interface EventEnvelope<K extends EventType> {
  /** Unique per event; also the JetStream de-duplication id. */
  id: string;
  type: K;
  tenant: string;
  /** ISO 8601 UTC. */
  occurredAt: string;
  /** Who made an admin change: `bootstrap` (ROOMKEY_ADMIN_TOKEN) or the admin key's id. */
  actor?: string;
}

/** The subject token of events about admin keys valid for every tenant (no shortcode starts with `_`). */
export const ADMIN_EVENTS_TENANT = '_admin';

/** One event of type K, as it travels as JSON. */
export type EventOf<K extends EventType> = EventEnvelope<K> & EventFields<K>;

export type RoomkeyEvent = { [K in EventType]: EventOf<K> }[EventType];

// Subjects and the stream name come from the deployment's `Namespace` (namespace.ts).
