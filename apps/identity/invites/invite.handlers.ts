import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CreateInviteBodySchema,
  IdentityRoutes,
  RedeemInviteBodySchema,
  validator,
  type CreatedInvite,
  type GuestResult,
  type RequestOf,
} from '@roomkey/contracts';
import { InviterAccess } from '../access/inviter-access';
import { InviteService } from './invite.service';
import { InRequest, type RequestContext } from '@roomkey/nats';

// The envelopes' bodies, validated on their own so a failure names the body's field.
const createInviteBody = validator(CreateInviteBodySchema);
const redeemInviteBody = validator(RedeemInviteBodySchema);

@Controller()
export class InviteHandlers {
  constructor(
    private readonly access: InviterAccess,
    private readonly invites: InviteService,
  ) {}

  /** The gateway forwards the caller's Bearer token beside the body; an absent body counts as `{}`. */
  @MessagePattern(IdentityRoutes.createInvite.subject)
  async create(@Payload() request: RequestOf<typeof IdentityRoutes.createInvite>, @InRequest() context: RequestContext): Promise<CreatedInvite> {
    const inviter = await this.access.authenticate({ accessToken: request.accessToken }, context);
    return this.invites.create(inviter, createInviteBody.parse(request.body ?? {}), context);
  }

  /** Anyone holding the code; the body is validated before the code is looked up. */
  @MessagePattern(IdentityRoutes.redeemInvite.subject)
  async redeem(@Payload() request: RequestOf<typeof IdentityRoutes.redeemInvite>, @InRequest() context: RequestContext): Promise<GuestResult> {
    const body = redeemInviteBody.parse(request.body ?? {});
    return this.invites.redeem({ code: request.code, body }, context);
  }
}
