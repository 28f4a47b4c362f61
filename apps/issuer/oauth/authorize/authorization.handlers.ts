import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AcceptLoginRequestBodySchema,
  AuthorizationRoutes,
  RejectLoginRequestBodySchema,
  requireObject,
  splitCaller,
  validator,
  type AuthorizeResult,
  type LoginRequestRedirect,
  type LoginRequestView,
} from '@roomkey/contracts';
import { AuthorizationService } from './authorization.service';
import { InRequest, type RequestContext } from '@roomkey/nats';

const acceptBody = validator(AcceptLoginRequestBodySchema);
const rejectBody = validator(RejectLoginRequestBodySchema);

@Controller()
export class AuthorizationHandlers {
  constructor(private readonly authorization: AuthorizationService) {}

  @MessagePattern(AuthorizationRoutes.authorize.subject)
  async authorize(@Payload() request: unknown, @InRequest() context: RequestContext): Promise<AuthorizeResult> {
    return this.authorization.authorize(AuthorizationRoutes.authorize.request.parse(request, 'Request'), context);
  }

  @MessagePattern(AuthorizationRoutes.getLoginRequest.subject)
  async get(@Payload() request: unknown, @InRequest() context: RequestContext): Promise<LoginRequestView> {
    const { caller, body } = splitCaller(requireObject(request));
    const { challenge } = AuthorizationRoutes.getLoginRequest.request.parse(body, 'Request');
    return this.authorization.view(await this.authorization.open(caller, challenge, context));
  }

  /** The login app's body is checked once the challenge is found for the caller. */
  @MessagePattern(AuthorizationRoutes.acceptLoginRequest.subject)
  async accept(@Payload() request: unknown, @InRequest() context: RequestContext): Promise<LoginRequestRedirect> {
    const { caller, body } = splitCaller(requireObject(request));
    const call = AuthorizationRoutes.acceptLoginRequest.request.parse(body, 'Request');
    const opened = await this.authorization.open(caller, call.challenge, context);
    return this.authorization.accept(opened, acceptBody.parse(call.body));
  }

  @MessagePattern(AuthorizationRoutes.rejectLoginRequest.subject)
  async reject(@Payload() request: unknown, @InRequest() context: RequestContext): Promise<LoginRequestRedirect> {
    const { caller, body } = splitCaller(requireObject(request));
    const call = AuthorizationRoutes.rejectLoginRequest.request.parse(body, 'Request');
    const opened = await this.authorization.open(caller, call.challenge, context);
    return this.authorization.reject(opened, rejectBody.parse(call.body));
  }
}
