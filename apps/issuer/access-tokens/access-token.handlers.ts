import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { InRequest, type RequestContext } from '@roomkey/nats';
import { PublicRoutes, requireObject, splitCaller, type CreateAccessTokenResult } from '@roomkey/contracts';
import { AccessTokenService } from './access-token.service';

@Controller()
export class AccessTokenHandlers {
  constructor(private readonly accessTokens: AccessTokenService) {}

  /** PublicRoutes.createAccessToken: plain JSON from any NATS client (or the gateway). */
  @MessagePattern(PublicRoutes.createAccessToken.subject)
  async create(@Payload() request: unknown, @InRequest() context: RequestContext): Promise<CreateAccessTokenResult> {
    const { caller, body } = splitCaller(requireObject(request));
    const credential = await this.accessTokens.authenticate(caller, context);
    return this.accessTokens.create(credential, PublicRoutes.createAccessToken.request.parse(body), context);
  }
}
