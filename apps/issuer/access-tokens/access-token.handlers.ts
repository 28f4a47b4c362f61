import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { PublicRoutes } from '@roomkey/contracts';
import { AccessTokenService } from './access-token.service';

@Controller()
export class AccessTokenHandlers {
  constructor(private readonly accessTokens: AccessTokenService) {}

  /** PublicRoutes.createAccessToken: plain JSON from any NATS client (or the gateway). */
  @MessagePattern(PublicRoutes.createAccessToken.subject)
  create(@Payload() request: unknown) {
    return this.accessTokens.create(request);
  }
}
