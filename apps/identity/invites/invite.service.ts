import { Inject, Injectable } from '@nestjs/common';
import {
  API_KEY_TOKEN_LIFETIME,
  GUEST_ROLE,
  GUEST_TOKEN_DEFAULT_LIFETIME,
  INVITE_DEFAULT_LIFETIME,
  INVITE_DEFAULT_MAX_USES,
  guestToken,
  isRoleAtMost,
  type CreatedInvite,
  type CreateInviteBody,
  type GuestResult,
  type MintedToken,
  type RedeemInviteBody,
} from '@roomkey/contracts';
import { errorLog, ForbiddenError, GoneError, InvalidRequestError, NotFoundError, UnavailableError } from '@roomkey/errors';
import { randomUUID } from 'node:crypto';
import type { Inviter } from '../access/inviter-access';
import { IdentityEvents } from '../events/identity-events';
import { uniqueGuestId } from '../guests/guest-id';
import { CLOCK, INVITE_STORE, ISSUER_CLIENT, type Clock, type InviteRecord, type InviteStore, type IssuerClient } from '../ports';
import { inviteKey, isInviteCode, newInviteCode } from './invite-code';
import { callerGaveUp, type RequestContext } from '@roomkey/nats';

/** Compare-and-set rounds before a redemption gives up (503) under extreme contention on one invite. */
export const MAX_REDEEM_ATTEMPTS = 50;
const NOT_FOUND_MESSAGE = 'Invite not found';

/**
 * Delegated invites: a host's token (holding guests:invite) creates an invite for a role no higher
 * than GUEST and its own, for rooms its token covers, for no longer than its token lives; whoever
 * holds the code redeems it, without the partner's backend, for a guest token naming the inviter as
 * its actor (RFC 8693 `act`). Invites live in a store shared by every replica; each redemption
 * counts one use with a compare-and-set, so `maxUses` holds across replicas.
 */
@Injectable()
export class InviteService {

  constructor(
    @Inject(ISSUER_CLIENT) private readonly issuer: IssuerClient,
    @Inject(INVITE_STORE) private readonly store: InviteStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly events: IdentityEvents,
  ) {}

  /** `command` has passed the schema; what remains are the limits of the inviter's token. */
  async create(inviter: Inviter, command: CreateInviteBody, context: RequestContext): Promise<CreatedInvite> {
    const { role } = command;
    if (!isRoleAtMost(role, GUEST_ROLE)) {
      throw new InvalidRequestError(`Field 'role' must be ${GUEST_ROLE} or lower: an invite hands out at most ${GUEST_ROLE}`, 'role');
    }
    if (!isRoleAtMost(role, inviter.role)) {
      throw new ForbiddenError(`Field 'role' may not be above your token's role ${inviter.role}`);
    }
    const rooms = inviteRooms(command.rooms, inviter);
    const now = this.clock.now();
    const remainingSeconds = Math.floor((inviter.exp * 1000 - now) / 1000);
    // Without ttlSeconds an invite lives INVITE_DEFAULT_LIFETIME, but never past the inviter's token;
    // an explicit ttlSeconds beyond that is refused.
    const ttlSeconds = command.ttlSeconds ?? Math.min(INVITE_DEFAULT_LIFETIME, remainingSeconds);
    if (ttlSeconds > remainingSeconds || ttlSeconds < 1) {
      throw new InvalidRequestError(
        remainingSeconds < 1
          ? 'Your access token expires now: an invite may not outlive the token that creates it'
          : `Field 'ttlSeconds' must be at most ${remainingSeconds}, your token's remaining lifetime: an invite may not ` +
            `outlive the token that creates it`,
        'ttlSeconds',
      );
    }
    const maxUses = command.maxUses ?? INVITE_DEFAULT_MAX_USES;

    const code = newInviteCode();
    const invite: InviteRecord = {
      id: randomUUID(),
      tenant: inviter.tid,
      role,
      ...(rooms !== undefined ? { rooms } : {}),
      maxUses,
      uses: 0,
      createdAt: now,
      expiresAt: now + ttlSeconds * 1000,
      inviter: { sub: inviter.sub, clientId: inviter.client_id, ...(inviter.env !== undefined ? { env: inviter.env } : {}) },
    };
    // 192 random bits: a taken key means something is badly wrong, not bad luck.
    if (!(await this.store.create(inviteKey(code), invite))) throw new Error('Invite code collision');
    await this.events.announce(invite.tenant, 'invite.created', { inviteId: invite.id, jti: inviter.jti }, context);
    return { inviteCode: code, expiresAt: new Date(invite.expiresAt).toISOString() };
  }

  /** `body` has passed the schema; a code that cannot exist is 404 like an unknown one. */
  async redeem(command: { code: string; body?: RedeemInviteBody }, context: RequestContext): Promise<GuestResult> {
    const { code } = command;
    const name = command.body?.name;
    if (!isInviteCode(code)) throw new NotFoundError(NOT_FOUND_MESSAGE);
    const key = inviteKey(code);

    const invite = await this.takeOneUse(key);
    const id = uniqueGuestId();
    let minted: MintedToken;
    try {
      const environment = invite.inviter.env;
      const lifetime = Math.min(
        GUEST_TOKEN_DEFAULT_LIFETIME,
        API_KEY_TOKEN_LIFETIME[environment ?? 'production'].max,
        Math.ceil((invite.expiresAt - this.clock.now()) / 1000),
      );
      minted = await this.issuer.mint({
        tenant: invite.tenant,
        claims: guestToken({
          subject: id,
          clientId: invite.inviter.clientId,
          role: invite.role,
          environment,
          rooms: invite.rooms,
          name,
          invitedBy: invite.inviter.sub,
        }),
        ttlSeconds: Math.max(1, lifetime),
        profile: command.body?.profile ?? undefined,
      }, context);
    } catch (error) {
      await this.giveBackOneUse(key, invite.id, context);
      throw error;
    }
    if (callerGaveUp(context)) {
      // The gateway has answered 503 already: the token will reach no one, so neither does the use.
      await this.giveBackOneUse(key, invite.id, context);
      throw new UnavailableError('The invite could not be redeemed in time; try again');
    }
    await this.events.announce(invite.tenant, 'invite.redeemed', { inviteId: invite.id, jti: minted.claims.jti, exp: minted.claims.exp }, context);
    return {
      user: { id, name: name ?? null, image: null, kind: 'guest' },
      accessToken: minted.accessToken,
      expiresIn: minted.expiresIn,
      ...(minted.profile ? { profile: minted.profile } : {}),
    };
  }

  /** Counts one use with compare-and-set: 404 unknown, 410 expired or used up, else the invite as it was. */
  private async takeOneUse(key: string): Promise<InviteRecord> {
    const { before } = await this.store.modify(
      key,
      (invite) => {
        if (!invite) throw new NotFoundError(NOT_FOUND_MESSAGE);
        if (this.clock.now() >= invite.expiresAt) throw new GoneError('This invite has expired');
        if (invite.uses >= invite.maxUses) throw new GoneError('This invite has been used up');
        return { ...invite, uses: invite.uses + 1 };
      },
      { attempts: MAX_REDEEM_ATTEMPTS, contentionMessage: 'This invite is being redeemed by many at once; try again' },
    );
    return before!;
  }

  /** Undoes `takeOneUse` when no token could be minted, so a failed redemption uses nothing up. */
  private async giveBackOneUse(key: string, inviteId: string, context: RequestContext): Promise<void> {
    try {
      await this.store.modify(key, (invite) => (invite && invite.uses > 0 ? { ...invite, uses: invite.uses - 1 } : undefined), {
        attempts: MAX_REDEEM_ATTEMPTS,
      });
    } catch (error) {
      errorLog.write('error', `Could not give back a use of invite ${inviteId} after a failed redemption: ${(error as Error).message}`, { context: 'InviteService' }, context);
    }
  }
}

/** Rooms ⊆ the inviter's; without `rooms`, the inviter's rooms (none: every room). */
function inviteRooms(requested: string[] | undefined, inviter: Inviter): string[] | undefined {
  const rooms = requested === undefined ? undefined : [...new Set(requested)];
  if (inviter.rooms === undefined) return rooms;
  if (rooms === undefined) return inviter.rooms;
  const covered = new Set(inviter.rooms);
  const outside = rooms.filter((room) => !covered.has(room));
  if (outside.length > 0) {
    const shown = outside.slice(0, 5).join(', ') + (outside.length > 5 ? ', …' : '');
    throw new ForbiddenError(`Field 'rooms' names rooms your token does not cover: ${shown}`);
  }
  return rooms;
}
