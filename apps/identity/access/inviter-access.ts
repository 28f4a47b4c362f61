import { Inject, Injectable } from '@nestjs/common';
import type { AccessTokenClaims, InviterCaller, Role } from '@roomkey/contracts';
import { ForbiddenError, UnauthorizedError } from '@roomkey/errors';
import { ISSUER_CLIENT, type IssuerClient } from '../ports';
import type { RequestContext } from '@roomkey/nats';

export const INVITE_PERMISSION = 'guests:invite';

/** The claims of a verified token that may invite: it holds guests:invite and a role. */
export type Inviter = AccessTokenClaims & { role: Role };

/** Authenticates invite creation: a Bearer access token (the gateway forwards it) holding guests:invite. */
@Injectable()
export class InviterAccess {
  constructor(@Inject(ISSUER_CLIENT) private readonly issuer: IssuerClient) {}

  /** 401 without a token or with an invalid one; 403 without guests:invite. */
  async authenticate(caller: InviterCaller, context: RequestContext): Promise<Inviter> {
    const token = caller.accessToken;
    if (typeof token !== 'string' || token === '') {
      throw new UnauthorizedError(`Missing credentials: send a Bearer access token holding ${INVITE_PERMISSION}`);
    }
    const claims = await this.issuer.verify(token, context);
    if (!claims.perms?.includes(INVITE_PERMISSION) || claims.role === undefined) {
      throw new ForbiddenError(`The access token does not hold the ${INVITE_PERMISSION} permission`);
    }
    return { ...claims, role: claims.role };
  }
}
