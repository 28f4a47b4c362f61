import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IssuerRoutes, requireObject, splitCaller, type AuthenticatedApiKey, type MintedToken, type VerifiedAccessToken } from '@roomkey/contracts';
import { InternalApiService } from './internal-api.service';
import { InRequest, type RequestContext } from '@roomkey/nats';

@Controller()
export class InternalApiHandlers {
  constructor(private readonly internal: InternalApiService) {}

  /** The request is only the caller: malformed credentials are a 401 from authentication, not a 400. */
  @MessagePattern(IssuerRoutes.authenticateApiKey.subject)
  authenticate(@Payload() request: unknown, @InRequest() context: RequestContext): Promise<AuthenticatedApiKey> {
    return this.internal.authenticateApiKey(splitCaller(requireObject(request)).caller, context);
  }

  @MessagePattern(IssuerRoutes.mintToken.subject)
  async mint(@Payload() request: unknown, @InRequest() context: RequestContext): Promise<MintedToken> {
    return this.internal.mint(IssuerRoutes.mintToken.request.parse(requireObject(request)), context);
  }

  @MessagePattern(IssuerRoutes.verifyAccessToken.subject)
  async verify(@Payload() request: unknown, @InRequest() context: RequestContext): Promise<VerifiedAccessToken> {
    return this.internal.verify(IssuerRoutes.verifyAccessToken.request.parse(requireObject(request)), context);
  }
}
