import type { RequestContext } from '@roomkey/nats';
import { Inject, Injectable } from '@nestjs/common';
import { assertTokenShape, CLOCK_TOLERANCE_SECONDS, profileOfPayload, profileSubject, type ProfileTokenClaims } from '@roomkey/contracts';
import { InvalidTokenError } from '@roomkey/errors';
import { decodeJwt, jwtVerify } from 'jose';
import { KeyringCache } from '../signing/keyring-cache';
import { CLOCK, REVOCATION_CUTOFFS, REVOCATION_STORE, type Clock, type RevocationCutoffs, type RevocationStore } from '../ports';

export interface ProfileVerifyOptions {
  /** A revoked token still answers its claims (revoking it again is not an error). */
  acceptRevoked?: boolean;
}

/**
 * Claim-profile tokens roomkey issued (contract §3.1): HS256 in a media platform's shape, signed
 * with the tenant's stored secret for that platform. Recognised by their shape and the platform's
 * API key, verified with that secret only (HS256, exp/nbf with 30 s tolerance), then held to
 * roomkey's revocations like its own tokens: the jti list and the user and tenant cut-offs.
 */
@Injectable()
export class ProfileTokenVerifier {
  constructor(
    private readonly keyrings: KeyringCache,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REVOCATION_STORE) private readonly revocations: RevocationStore,
    @Inject(REVOCATION_CUTOFFS) private readonly cutoffs: RevocationCutoffs,
  ) {}

  /** The claims of a valid profile token of `tenant`; undefined when the token does not have a profile token's shape for it. */
  async verify(tenant: string, token: string, context: RequestContext, options: ProfileVerifyOptions = {}): Promise<ProfileTokenClaims | undefined> {
    assertTokenShape(token);
    let unverified: Record<string, unknown>;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw new InvalidTokenError('malformed');
    }
    const keyring = await this.keyrings.forTenant(tenant, context);
    const platform = profileOfPayload(unverified, keyring.mediaPlatforms);
    if (!platform) return undefined;
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, keyring.mediaPlatforms.get(platform)!.secret, {
        algorithms: ['HS256'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(this.clock.now()),
        requiredClaims: ['exp', 'iat', 'jti'],
      }));
    } catch {
      throw new InvalidTokenError('signature or time claims');
    }
    const { jti, iat, exp } = payload;
    if (typeof jti !== 'string' || typeof iat !== 'number' || typeof exp !== 'number') throw new InvalidTokenError('jti, iat or exp');
    const subject = profileSubject(platform, payload);
    if (!options.acceptRevoked && this.revocations.isRevoked(tenant, jti)) throw new InvalidTokenError('revoked');
    if (!options.acceptRevoked && subject !== undefined && this.cutoffs.isRevoked(tenant, subject, iat)) {
      throw new InvalidTokenError('issued before a revocation cut-off');
    }
    return { ...payload, jti, iat, exp, tid: tenant, profile: platform };
  }
}
