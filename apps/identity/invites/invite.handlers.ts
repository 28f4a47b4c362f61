import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IdentityRoutes } from '@roomkey/contracts';
import { InviteService } from './invite.service';

@Controller()
export class InviteHandlers {
  constructor(private readonly invites: InviteService) {}

  @MessagePattern(IdentityRoutes.createInvite.subject)
  create(@Payload() request: unknown) {
    return this.invites.create(request);
  }

  @MessagePattern(IdentityRoutes.redeemInvite.subject)
  redeem(@Payload() request: unknown) {
    return this.invites.redeem(request);
  }
}
