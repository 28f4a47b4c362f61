import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { OAuthRoutes, requireObject, splitCaller, type EmptyResult, type IntrospectionResult, type RevokeTokenResult, type TokenEndpointResult } from '@roomkey/contracts';
import { IntrospectionService } from './introspection.service';
import { RevocationService } from './revocation.service';
import { TokenEndpointService } from './token-endpoint.service';
import { InRequest, type RequestContext } from '@roomkey/nats';

/** The endpoints' parameters are checked by the services with RFC 6749 errors; the envelope here. */
@Controller()
export class OAuthHandlers {
  constructor(
    private readonly tokenEndpoint: TokenEndpointService,
    private readonly introspection: IntrospectionService,
    private readonly revocation: RevocationService,
  ) {}

  @MessagePattern(OAuthRoutes.token.subject)
  async token(@Payload() request: unknown, @InRequest() context: RequestContext): Promise<TokenEndpointResult> {
    return this.tokenEndpoint.exchange(OAuthRoutes.token.request.parse(request, 'Request'), context);
  }

  @MessagePattern(OAuthRoutes.introspect.subject)
  async introspect(@Payload() request: unknown, @InRequest() context: RequestContext): Promise<IntrospectionResult> {
    return this.introspection.introspect(OAuthRoutes.introspect.request.parse(request, 'Request'), context);
  }

  @MessagePattern(OAuthRoutes.revoke.subject)
  async revoke(@Payload() request: unknown, @InRequest() context: RequestContext): Promise<EmptyResult> {
    return this.revocation.revokeForClient(OAuthRoutes.revoke.request.parse(request, 'Request'), context);
  }

  @MessagePattern(OAuthRoutes.revokeWithApiKey.subject)
  async revokeWithApiKey(@Payload() request: unknown, @InRequest() context: RequestContext): Promise<RevokeTokenResult> {
    const { caller, body } = splitCaller(requireObject(request));
    const credential = await this.revocation.authenticate(caller, context);
    return this.revocation.revokeWithApiKey(credential, OAuthRoutes.revokeWithApiKey.request.parse(body), context);
  }
}
