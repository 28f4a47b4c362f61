/**
 * Webhooks (contract §4 admin rows): a tenant's HTTPS endpoints for chosen event types, each with a
 * secret shown once; deliveries are signed per Standard Webhooks and listed with their last outcome.
 */
import { EVENT_TYPES } from '../events';
import { RequestBody, Type, type Static } from '../schema';

export const MAX_WEBHOOKS_PER_TENANT = 20;
const Timestamp = (description = 'ISO 8601 UTC') => Type.String({ format: 'date-time', description });
const EVENT_TYPE_LIST = EVENT_TYPES.join(', ');

export const WebhookEventTypeSchema = Type.Union(
  EVENT_TYPES.map((type) => Type.Literal(type)),
  { description: 'An event type', errorMessage: `must list event types (${EVENT_TYPE_LIST})` },
);

export const CreateWebhookBodySchema = RequestBody(
  {
    url: Type.String({
      minLength: 1,
      maxLength: 2048,
      description: 'Where deliveries are POSTed: https (http only outside production, or with ROOMKEY_WEBHOOKS_ALLOW_HTTP)',
      errorMessage: 'must be an https URL',
    }),
    events: Type.Array(WebhookEventTypeSchema, {
      minItems: 1,
      maxItems: EVENT_TYPES.length,
      uniqueItems: true,
      description: 'The event types delivered to this endpoint',
      errorMessage: `must be a non-empty list of distinct event types (${EVENT_TYPE_LIST})`,
    }),
  },
  { title: 'CreateWebhookBody' },
);
export type CreateWebhookBody = Static<typeof CreateWebhookBodySchema>;

export const WebhookViewSchema = Type.Object(
  {
    id: Type.String(),
    url: Type.String(),
    events: Type.Array(Type.String()),
    createdAt: Timestamp(),
  },
  { title: 'Webhook' },
);
export type WebhookView = Static<typeof WebhookViewSchema>;

export const CreatedWebhookSchema = Type.Object(
  {
    ...WebhookViewSchema.properties,
    secret: Type.String({ description: '`whsec_` + base64 of 32 random bytes: shown once, here; verify each delivery\u2019s webhook-signature with it' }),
  },
  { title: 'CreatedWebhook' },
);
export type CreatedWebhook = Static<typeof CreatedWebhookSchema>;

export const WebhookListSchema = Type.Object({ items: Type.Array(WebhookViewSchema) }, { title: 'WebhookList' });
export type WebhookList = Static<typeof WebhookListSchema>;

export const WEBHOOK_DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryState = (typeof WEBHOOK_DELIVERY_STATES)[number];

export const WebhookDeliverySchema = Type.Object(
  {
    id: Type.String({ description: 'The webhook-id header of the delivery (stable across its retries)' }),
    eventId: Type.String(),
    type: Type.String({ description: 'The event type' }),
    attempts: Type.Integer({ minimum: 0 }),
    lastStatus: Type.Union([Type.Integer(), Type.Null()], { description: 'HTTP status of the last attempt (null: no answer)' }),
    lastError: Type.Optional(Type.String({ description: 'Why the last attempt failed' })),
    lastAttemptAt: Timestamp(),
    nextAttemptAt: Type.Optional(Timestamp('When it is tried again (pending only)')),
    state: Type.Union(WEBHOOK_DELIVERY_STATES.map((state) => Type.Literal(state))),
  },
  { title: 'WebhookDelivery' },
);
export type WebhookDelivery = Static<typeof WebhookDeliverySchema>;

export const WebhookDeliveryListSchema = Type.Object({ items: Type.Array(WebhookDeliverySchema, { description: 'Newest first' }) }, { title: 'WebhookDeliveryList' });
export type WebhookDeliveryList = Static<typeof WebhookDeliveryListSchema>;

// ---------------------------------------------------------------- keys-service messages

export const WebhookScopedRequestSchema = Type.Object({ tenant: Type.String(), id: Type.String() });
export type WebhookScopedRequest = Static<typeof WebhookScopedRequestSchema>;
