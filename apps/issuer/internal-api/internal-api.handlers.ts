import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IssuerRoutes, type RequestOf } from '@roomkey/contracts';
import { InternalApiService } from './internal-api.service';

@Controller()
export class InternalApiHandlers {
  constructor(private readonly internal: InternalApiService) {}

  @MessagePattern(IssuerRoutes.authenticateApiKey.subject)
  authenticate(@Payload() request: unknown) {
    return this.internal.authenticateApiKey(request);
  }

  @MessagePattern(IssuerRoutes.mintToken.subject)
  mint(@Payload() request: RequestOf<typeof IssuerRoutes.mintToken>) {
    return this.internal.mint(request);
  }

  @MessagePattern(IssuerRoutes.verifyAccessToken.subject)
  verify(@Payload() request: unknown) {
    return this.internal.verify(request);
  }
}
