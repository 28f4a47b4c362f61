import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IdentityPublicRoutes } from '@roomkey/contracts';
import { AnonymousService } from './anonymous.service';

@Controller()
export class AnonymousHandlers {
  constructor(private readonly anonymous: AnonymousService) {}

  /** The anonymous-create subject: plain JSON from any NATS client (or the gateway). */
  @MessagePattern(IdentityPublicRoutes.createAnonymous.subject)
  create(@Payload() request: unknown) {
    return this.anonymous.create(request);
  }
}
