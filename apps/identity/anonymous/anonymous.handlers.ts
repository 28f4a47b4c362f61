import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IdentityPublicRoutes, requireObject, splitCaller, type AnonymousResult } from '@roomkey/contracts';
import { KeyAccess } from '../access/key-access';
import { AnonymousService } from './anonymous.service';
import { InRequest, type RequestContext } from '@roomkey/nats';

@Controller()
export class AnonymousHandlers {
  constructor(
    private readonly access: KeyAccess,
    private readonly anonymous: AnonymousService,
  ) {}

  /** The anonymous-create subject: plain JSON from any NATS client (or the gateway). */
  @MessagePattern(IdentityPublicRoutes.createAnonymous.subject)
  async create(@Payload() request: unknown, @InRequest() context: RequestContext): Promise<AnonymousResult> {
    const { caller, body } = splitCaller(requireObject(request));
    const authenticated = await this.access.authenticate(caller, 'anonymous', context);
    return this.anonymous.create(authenticated, IdentityPublicRoutes.createAnonymous.request.parse(body), context);
  }
}
