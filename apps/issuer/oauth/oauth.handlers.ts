import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { OAuthRoutes, type RequestOf } from '@roomkey/contracts';
import { IntrospectionService } from './introspection.service';
import { RevocationService } from './revocation.service';
import { TokenEndpointService } from './token-endpoint.service';

@Controller()
export class OAuthHandlers {
  constructor(
    private readonly tokenEndpoint: TokenEndpointService,
    private readonly introspection: IntrospectionService,
    private readonly revocation: RevocationService,
  ) {}

  @MessagePattern(OAuthRoutes.token.subject)
  token(@Payload() request: RequestOf<typeof OAuthRoutes.token>) {
    return this.tokenEndpoint.exchange(request);
  }

  @MessagePattern(OAuthRoutes.introspect.subject)
  introspect(@Payload() request: RequestOf<typeof OAuthRoutes.introspect>) {
    return this.introspection.introspect(request);
  }

  @MessagePattern(OAuthRoutes.revoke.subject)
  revoke(@Payload() request: RequestOf<typeof OAuthRoutes.revoke>) {
    return this.revocation.revokeForClient(request);
  }

  @MessagePattern(OAuthRoutes.revokeWithApiKey.subject)
  revokeWithApiKey(@Payload() request: unknown) {
    return this.revocation.revokeWithApiKey(request);
  }
}
