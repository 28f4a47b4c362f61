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
