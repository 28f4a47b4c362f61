import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IssuerRoutes, requireObject, splitCaller, type AuthenticatedApiKey, type MintedToken, type VerifiedAccessToken } from '@roomkey/contracts';
import { InternalApiService } from './internal-api.service';

@Controller()
export class InternalApiHandlers {
  constructor(private readonly internal: InternalApiService) {}

  /** The request is only the caller: malformed credentials are a 401 from authentication, not a 400. */
  @MessagePattern(IssuerRoutes.authenticateApiKey.subject)
  authenticate(@Payload() request: unknown): Promise<AuthenticatedApiKey> {
    return this.internal.authenticateApiKey(splitCaller(requireObject(request)).caller);
  }

  @MessagePattern(IssuerRoutes.mintToken.subject)
  async mint(@Payload() request: unknown): Promise<MintedToken> {
    return this.internal.mint(IssuerRoutes.mintToken.request.parse(requireObject(request)));
  }

  @MessagePattern(IssuerRoutes.verifyAccessToken.subject)
  async verify(@Payload() request: unknown): Promise<VerifiedAccessToken> {
    return this.internal.verify(IssuerRoutes.verifyAccessToken.request.parse(requireObject(request)));
  }
}
