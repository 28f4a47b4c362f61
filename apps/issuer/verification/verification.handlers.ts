import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { PublicRoutes, requireObject, splitCaller, type VerifyTokenResult } from '@roomkey/contracts';
import { TokenVerifier } from './token-verifier.service';
import { InRequest, type RequestContext } from '@roomkey/nats';

@Controller()
export class VerificationHandlers {
  constructor(private readonly verifier: TokenVerifier) {}

  @MessagePattern(PublicRoutes.verifyToken.subject)
  async verify(@Payload() request: unknown, @InRequest() context: RequestContext): Promise<VerifyTokenResult> {
    const { caller, body } = splitCaller(requireObject(request));
    const credential = await this.verifier.authenticate(caller, context);
    return this.verifier.verifyForCaller(credential, PublicRoutes.verifyToken.request.parse(body), context);
  }
}
