/**
 * Events (contract §5): published on JetStream as `roomkey.v1.events.{tenant}.{type}`. They carry
 * identifiers only (`jti`, `kid`, `apiKey`, `clientId`), never secrets or tokens.
 */
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
  'guest.created',
  'invite.created',
  'invite.redeemed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface RoomkeyEvent {
  /** Unique per event; also the JetStream de-duplication id. */
  id: string;
  type: EventType;
  tenant: string;
  /** ISO 8601 UTC. */
  occurredAt: string;
  kid?: string;
  previousKid?: string;
  apiKey?: string;
  jti?: string;
  clientId?: string;
  inviteId?: string;
  /** For `token.revoked`: the token's expiry (seconds since the epoch). */
  exp?: number;
}

const EVENTS_PREFIX = 'roomkey.v1.events';
/** Every event of every tenant (subscribe to this to keep a cache fresh). */
export const ALL_EVENTS_SUBJECT = `${EVENTS_PREFIX}.>`;
export const EVENTS_STREAM = 'ROOMKEY_EVENTS';

export function eventSubject(tenant: string, type: EventType): string {
  return `${EVENTS_PREFIX}.${tenant}.${type}`;
}
