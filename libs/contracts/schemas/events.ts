/**
 * The audit view of a tenant's events (`GET /admin/tenants/{t}/events`): newest first, a page at a
 * time, read from the JetStream events stream; the cursor is a stream sequence. Stored events carry
 * `occurredAt`; the API answers `time`.
 */
import { EVENT_TYPES } from '../events';
import { Type, type Static } from '../schema';

export const EVENTS_PAGE = { default: 50, max: 200 } as const;

export const ListEventsQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: EVENTS_PAGE.max, description: `Events per page, 1–${EVENTS_PAGE.max} (default ${EVENTS_PAGE.default})` })),
    cursor: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,15}$', description: 'The previous page’s `nextCursor`: older events than that' })),
    type: Type.Optional(Type.Union(EVENT_TYPES.map((type) => Type.Literal(type)), { description: 'Only events of this type' })),
  },
  { title: 'ListEventsQuery' },
);

export const TenantEventSchema = Type.Object(
  {
    id: Type.String(),
    type: Type.String({ description: 'e.g. api-key.created, auth.failed, auth.throttled' }),
    time: Type.String({ format: 'date-time', description: 'When it happened (ISO 8601 UTC)' }),
    actor: Type.Union([Type.String(), Type.Null()], {
      description: '`bootstrap` or the admin key id for an admin change; the API key or client id tried (or `anonymous`) for auth events; null when none',
    }),
  },
  { title: 'TenantEvent', additionalProperties: true, description: "The envelope; the type's own fields (identifiers only, never a secret) follow" },
);

export const TenantEventPageSchema = Type.Object(
  {
    items: Type.Array(TenantEventSchema, { description: 'Newest first' }),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'null on the last page' }),
  },
  { title: 'TenantEventPage' },
);
export type TenantEvent = Static<typeof TenantEventSchema> & Record<string, unknown>;
export type TenantEventPage = { items: TenantEvent[]; nextCursor: string | null };

// ---------------------------------------------------------------- event streams (Server-Sent Events)

/** `Last-Event-ID` as a query parameter too (EventSource cannot set headers on its first request). */
export const EventStreamQuerySchema = Type.Object(
  {
    lastEventId: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,16}$', description: 'Resume after this event id (the `id:` of the last event received); the `Last-Event-ID` header does the same' }),
    ),
  },
  { title: 'EventStreamQuery' },
);

/**
 * Every revocation of a tenant still in force, sent first on `GET /realms/{t}/revocations` (event
 * `snapshot`): enough for a verifier that starts empty to refuse what roomkey refuses.
 */
export const RevocationSnapshotSchema = Type.Object(
  {
    tenant: Type.String(),
    tokens: Type.Array(
      Type.Object({ jti: Type.String(), exp: Type.Integer({ description: "The token's expiry (seconds since the epoch): forget it after" }) }),
      { description: 'Revoked tokens that have not expired yet' },
    ),
    users: Type.Array(Type.Object({ userId: Type.String(), issuedBefore: Type.String({ format: 'date-time' }) }), {
      description: "Per-user cut-offs: that user's tokens issued before the time are refused",
    }),
    tenantIssuedBefore: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: "The tenant's cut-off: every token issued before it is refused (null: none)",
    }),
    signingKeys: Type.Array(Type.Object({ kid: Type.String() }), { description: 'Revoked signing keys: tokens they signed are refused' }),
    apiKeys: Type.Array(Type.Object({ apiKey: Type.String(), revokedAt: Type.String({ format: 'date-time' }) }), { description: 'Revoked API keys' }),
  },
  { title: 'RevocationSnapshot' },
);
export type RevocationSnapshot = Static<typeof RevocationSnapshotSchema>;

/** What the issuer answers the gateway for a snapshot: the parts it keeps (revoked jtis and cut-offs). */
export const IssuerRevocationsSchema = Type.Object(
  {
    tokens: RevocationSnapshotSchema.properties.tokens,
    users: RevocationSnapshotSchema.properties.users,
    tenantIssuedBefore: RevocationSnapshotSchema.properties.tenantIssuedBefore,
  },
  { title: 'IssuerRevocations' },
);
export type IssuerRevocations = Static<typeof IssuerRevocationsSchema>;

/**
 * The wire form of an event stream (text/event-stream): `retry:` first, then events, each
 * `id: <JetStream sequence>`, `event: <type>`, `data: <the event JSON as published>`, and
 * `: keep-alive` comments between them. Described for the API reference.
 */
export const EventStreamSchema = Type.String({
  title: 'EventStream',
  description:
    'Server-Sent Events: `id:` the stream sequence (send it back as `Last-Event-ID` to resume), `event:` the type (or `snapshot`), `data:` the event JSON; `: keep-alive` comments every 15 s',
});
