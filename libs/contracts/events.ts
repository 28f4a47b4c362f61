/**
 * Events (contract §5): published on JetStream as `{ns}.v1.events.{tenant}.{type}`. They carry
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

// Subjects and the stream name come from the deployment's `Namespace` (namespace.ts).
