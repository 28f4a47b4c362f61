import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IdentityPublicRoutes } from '@roomkey/contracts';
import { GuestService } from './guest.service';

@Controller()
export class GuestHandlers {
  constructor(private readonly guests: GuestService) {}

  /** The guests-create subject: plain JSON from any NATS client (or the gateway). */
  @MessagePattern(IdentityPublicRoutes.createGuest.subject)
  create(@Payload() request: unknown) {
    return this.guests.create(request);
  }
}
