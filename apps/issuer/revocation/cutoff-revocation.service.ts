import { Inject, Injectable } from '@nestjs/common';
import { CLOCK_TOLERANCE_SECONDS, type RevokedTenantTokens, type RevokedUserTokens } from '@roomkey/contracts';
import { errorLog, InvalidRequestError } from '@roomkey/errors';
import type { EventSink, RequestContext } from '@roomkey/nats';
import { KeyringCache } from '../signing/keyring-cache';
import { CLOCK, EVENT_PUBLISHER, REVOCATION_CUTOFFS, type Clock, type RevocationCutoffs } from '../ports';

/**
 * Revocation beyond one token (GetStream's revokeUserToken / revokeTokens(before), Keycloak's
 * not-before): every token of a user, or of the whole tenant, issued before a time. Applied on this
 * replica at once, on every other within a second (KV watch), and announced as
 * `tokens.revoked-before` so media servers can drop sessions.
 */
@Injectable()
export class CutoffRevocationService {
  constructor(
    @Inject(REVOCATION_CUTOFFS) private readonly cutoffs: RevocationCutoffs,
    @Inject(EVENT_PUBLISHER) private readonly events: EventSink,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly keyrings: KeyringCache,
  ) {}

  async revokeUser(tenant: string, userId: string, issuedBefore: string | null | undefined, context: RequestContext): Promise<RevokedUserTokens> {
    const cutoff = this.cutoffTime(issuedBefore);
    await this.cutoffs.revokeUserBefore(tenant, userId, cutoff);
    const iso = new Date(cutoff).toISOString();
    errorLog.write('info', `Revoked the tokens of a user of tenant ${tenant} issued before ${iso}`, {}, context);
    await this.events.publish(tenant, 'tokens.revoked-before', { userId, issuedBefore: iso }, context.actor);
    return { userId, issuedBefore: iso };
  }

  async revokeTenant(tenant: string, issuedBefore: string | null | undefined, context: RequestContext): Promise<RevokedTenantTokens> {
    // An unknown tenant is a 404 (the keys service answers for its keyring).
    await this.keyrings.forTenant(tenant, context);
    const cutoff = this.cutoffTime(issuedBefore);
    await this.cutoffs.revokeTenantBefore(tenant, cutoff);
    const iso = new Date(cutoff).toISOString();
    errorLog.write('info', `Revoked every token of tenant ${tenant} issued before ${iso}`, {}, context);
    await this.events.publish(tenant, 'tokens.revoked-before', { issuedBefore: iso }, context.actor);
    return { tenant, issuedBefore: iso };
  }

  /** Default now; a time ahead of now within the clock tolerance counts as now; further ahead is refused. */
  private cutoffTime(issuedBefore: string | null | undefined): number {
    const now = this.clock.now();
    if (issuedBefore === undefined || issuedBefore === null) return now;
    const time = Date.parse(issuedBefore);
    if (Number.isNaN(time)) throw new InvalidRequestError("Field 'issuedBefore' must be an ISO 8601 date and time", 'issuedBefore');
    if (time > now + CLOCK_TOLERANCE_SECONDS * 1000) {
      throw new InvalidRequestError("Field 'issuedBefore' must not be in the future: it revokes tokens already issued", 'issuedBefore');
    }
    return Math.min(time, now);
  }
}
