import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { PublicRoutes } from '@roomkey/contracts';
import { TokenVerifier } from './token-verifier.service';

@Controller()
export class VerificationHandlers {
  constructor(private readonly verifier: TokenVerifier) {}

  @MessagePattern(PublicRoutes.verifyToken.subject)
  verify(@Payload() request: unknown) {
    return this.verifier.verifyForCaller(request);
  }
}
