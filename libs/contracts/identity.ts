/**
 * Guests, anonymous viewers and invites (contract §3–5): request and answer shapes, the public
 * subjects `roomkey.v1.guests.create` and `roomkey.v1.anonymous.create`, and the identity service's
 * internal invite subjects. The identity service answers all of them; the gateway only routes.
 */
import type { Role } from './roles';
import { route } from './subjects';

/** The role of a guest token and the highest role an invite may hand out. */
export const GUEST_ROLE: Role = 'GUEST';
/** The role of an anonymous viewer's token. */
export const ANONYMOUS_ROLE: Role = 'VIEWER';

/** An invite may be redeemed this many times at most; without `maxUses` it is good for one redemption. */
export const INVITE_MAX_USES = 1000;
export const INVITE_DEFAULT_MAX_USES = 1;

/**
 * How a guest or anonymous request authenticates: `apiKey` + `secret` (HTTP Basic), or `apiKey`
 * alone (HTTP `X-Api-Key`) when the tenant switches guest or anonymous access on. `clientAddress`
 * is the caller's address, set by the gateway, for the per-address rate limit of key-only requests.
 */
export interface GuestCredentials {
  apiKey: string;
  secret?: string;
  clientAddress?: string;
}
export const GUEST_CREDENTIAL_FIELDS = ['apiKey', 'secret', 'clientAddress'] as const;

export interface CreateGuestBody {
  userId?: string;
  name?: string;
  image?: string;
  rooms?: string[];
  ttlSeconds?: number;
}
export const CREATE_GUEST_FIELDS = ['userId', 'name', 'image', 'rooms', 'ttlSeconds'] as const;
export type CreateGuestRequest = CreateGuestBody & GuestCredentials;

export interface GuestUser {
  /** Made unique from the requested id (e.g. `alice-7f3k2q9a`); never equal to it. */
  id: string;
  name: string | null;
  image: string | null;
  kind: 'guest';
}

/** The answer of `/v1/guests`, `roomkey.v1.guests.create` and an invite's redemption. */
export interface GuestResult {
  user: GuestUser;
  accessToken: string;
  expiresIn: number;
}

export interface CreateAnonymousBody {
  rooms: string[];
  ttlSeconds?: number;
}
export const CREATE_ANONYMOUS_FIELDS = ['rooms', 'ttlSeconds'] as const;
export type CreateAnonymousRequest = CreateAnonymousBody & GuestCredentials;

export interface AnonymousResult {
  accessToken: string;
  expiresIn: number;
}

export interface CreateInviteBody {
  role: Role;
  rooms?: string[];
  ttlSeconds?: number;
  maxUses?: number;
}
export const CREATE_INVITE_FIELDS = ['role', 'rooms', 'ttlSeconds', 'maxUses'] as const;

/** Internal: the gateway forwards the caller's Bearer token and the unvalidated body. */
export interface CreateInviteRequest {
  accessToken: string;
  body: unknown;
}
export interface CreatedInvite {
  inviteCode: string;
  /** ISO 8601 UTC. */
  expiresAt: string;
}

export interface RedeemInviteBody {
  name?: string;
}
export const REDEEM_INVITE_FIELDS = ['name'] as const;

/** Internal: the code from the path and the unvalidated body (absent when the caller sent none). */
export interface RedeemInviteRequest {
  code: string;
  body?: unknown;
}

/** Public NATS API (contract §5) answered by the identity service. */
export const IdentityPublicRoutes = {
  createGuest: route<CreateGuestRequest, GuestResult>('roomkey.v1.guests.create', 'identity'),
  createAnonymous: route<CreateAnonymousRequest, AnonymousResult>('roomkey.v1.anonymous.create', 'identity'),
} as const;

/** Internal identity subjects (the gateway's `/v1/invites` routes). */
export const IdentityRoutes = {
  createInvite: route<CreateInviteRequest, CreatedInvite>('roomkey.internal.identity.invites.create', 'identity'),
  redeemInvite: route<RedeemInviteRequest, GuestResult>('roomkey.internal.identity.invites.redeem', 'identity'),
} as const;
