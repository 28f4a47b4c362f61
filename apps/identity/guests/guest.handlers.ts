import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IdentityPublicRoutes, requireObject, splitCaller, type GuestResult } from '@roomkey/contracts';
import { KeyAccess } from '../access/key-access';
import { GuestService } from './guest.service';
import { InRequest, type RequestContext } from '@roomkey/nats';

@Controller()
export class GuestHandlers {
  constructor(
    private readonly access: KeyAccess,
    private readonly guests: GuestService,
  ) {}

  /** The guests-create subject: plain JSON from any NATS client (or the gateway). */
  @MessagePattern(IdentityPublicRoutes.createGuest.subject)
  async create(@Payload() request: unknown, @InRequest() context: RequestContext): Promise<GuestResult> {
    const { caller, body } = splitCaller(requireObject(request));
    const authenticated = await this.access.authenticate(caller, 'guest', context);
    return this.guests.create(authenticated, IdentityPublicRoutes.createGuest.request.parse(body), context);
  }
}
