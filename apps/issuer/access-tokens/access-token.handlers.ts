import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { PublicRoutes, requireObject, splitCaller, type CreateAccessTokenResult } from '@roomkey/contracts';
import { AccessTokenService } from './access-token.service';

@Controller()
export class AccessTokenHandlers {
  constructor(private readonly accessTokens: AccessTokenService) {}

  /** PublicRoutes.createAccessToken: plain JSON from any NATS client (or the gateway). */
  @MessagePattern(PublicRoutes.createAccessToken.subject)
  async create(@Payload() request: unknown): Promise<CreateAccessTokenResult> {
    const { caller, body } = splitCaller(requireObject(request));
    const credential = await this.accessTokens.authenticate(caller);
    return this.accessTokens.create(credential, PublicRoutes.createAccessToken.request.parse(body));
  }
}
