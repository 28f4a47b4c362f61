import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AuthorizationRoutes, type RequestOf } from '@roomkey/contracts';
import { AuthorizationService } from './authorization.service';

@Controller()
export class AuthorizationHandlers {
  constructor(private readonly authorization: AuthorizationService) {}

  @MessagePattern(AuthorizationRoutes.authorize.subject)
  authorize(@Payload() request: RequestOf<typeof AuthorizationRoutes.authorize>) {
    return this.authorization.authorize(request);
  }

  @MessagePattern(AuthorizationRoutes.getLoginRequest.subject)
  get(@Payload() request: RequestOf<typeof AuthorizationRoutes.getLoginRequest>) {
    return this.authorization.getLoginRequest(request);
  }

  @MessagePattern(AuthorizationRoutes.acceptLoginRequest.subject)
  accept(@Payload() request: RequestOf<typeof AuthorizationRoutes.acceptLoginRequest>) {
    return this.authorization.accept(request);
  }

  @MessagePattern(AuthorizationRoutes.rejectLoginRequest.subject)
  reject(@Payload() request: RequestOf<typeof AuthorizationRoutes.rejectLoginRequest>) {
    return this.authorization.reject(request);
  }
}
