/**
 * The one way to say what a token should hold, one factory per token kind (contract §3). Every
 * token path — CreateAccessToken, the OAuth grants, guests, anonymous viewers, invite redemption —
 * builds its content here and hands it to the issuer, which checks it with `parseTokenContent` and
 * alone adds iss, tid, iat, exp, jti and the role's perms. Absent options leave their claim out.
 */
import { type Environment, type TokenContent, type TokenMetadata } from './claims';
import { ANONYMOUS_ROLE, GUEST_ROLE } from './identity';
import type { Role } from './roles';
import { ANONYMOUS_SUBJECT } from './validation';

/** The role-bearing part of a token: the issuer adds the role's permissions from the tenant's matrix. */
interface RoleGrant {
  /** The API key or OAuth client that asked (`client_id`). */
  clientId: string;
  /** The API key's environment; a development key never grants broadcast:manage. */
  environment?: Environment;
  /** The rooms the token is good for; absent: every room of the tenant. */
  rooms?: string[];
}

interface DisplayData {
  name?: string;
  image?: string;
  /** Partner data (the `metadata` claim); its size is checked by parseTokenContent. */
  metadata?: TokenMetadata;
}

/** Drops the options that were not given, so no claim is present with an undefined value. */
function content(claims: { [K in keyof TokenContent]: TokenContent[K] | undefined }): TokenContent {
  const result: Record<string, unknown> = {};
  for (const [claim, value] of Object.entries(claims)) {
    if (value !== undefined) result[claim] = value;
  }
  return result as unknown as TokenContent;
}

/** `scope`: the granted scopes space-separated, absent when there are none. */
function scopeClaim(scopes: readonly string[] | undefined): string | undefined {
  return scopes && scopes.length > 0 ? scopes.join(' ') : undefined;
}

export interface UserTokenOptions extends RoleGrant, DisplayData {
  /** The partner's user id. */
  subject: string;
  role?: Role;
  /** Default `roomkey`. */
  audience?: string | string[];
  scopes?: readonly string[];
}

/** A partner's user: CreateAccessToken (an API key) or the authorization code and refresh grants (a client). */
export function userToken(options: UserTokenOptions): TokenContent {
  return content({
    sub: options.subject,
    client_id: options.clientId,
    kind: 'user',
    aud: options.audience,
    role: options.role,
    env: options.environment,
    rooms: options.rooms,
    scope: scopeClaim(options.scopes),
    name: options.name,
    image: options.image,
    metadata: options.metadata,
  });
}

export interface GuestTokenOptions extends RoleGrant, DisplayData {
  /** The guest's id, already made unique. */
  subject: string;
  /** GUEST unless an invite hands out less. */
  role?: Role;
  /** Invite-redeemed tokens: the inviter's `sub`, carried as the RFC 8693 actor. */
  invitedBy?: string;
}

/** A temporary guest: `/v1/guests` or a redeemed invite. */
export function guestToken(options: GuestTokenOptions): TokenContent {
  return content({
    sub: options.subject,
    client_id: options.clientId,
    kind: 'guest',
    role: options.role ?? GUEST_ROLE,
    env: options.environment,
    rooms: options.rooms,
    name: options.name,
    image: options.image,
    metadata: options.metadata,
    act: options.invitedBy !== undefined ? { sub: options.invitedBy } : undefined,
  });
}

export interface AnonymousTokenOptions extends RoleGrant {
  /** A random id, different for every token, so one viewer can be revoked. */
  anonId: string;
  rooms: string[];
}

/** An anonymous viewer: `sub` `!anon`, role VIEWER, limited to the rooms named. */
export function anonymousToken(options: AnonymousTokenOptions): TokenContent {
  return content({
    sub: ANONYMOUS_SUBJECT,
    client_id: options.clientId,
    kind: 'anonymous',
    role: ANONYMOUS_ROLE,
    env: options.environment,
    rooms: options.rooms,
    anon_id: options.anonId,
  });
}

export interface ServiceTokenOptions {
  /** The OAuth client, which is also the token's subject. */
  clientId: string;
  audience: string | string[];
  scopes?: readonly string[];
}

/** A machine client's own token (client_credentials): `sub` = `client_id`, no role. */
export function serviceToken(options: ServiceTokenOptions): TokenContent {
  return content({
    sub: options.clientId,
    client_id: options.clientId,
    kind: 'service',
    aud: options.audience,
    scope: scopeClaim(options.scopes),
  });
}
