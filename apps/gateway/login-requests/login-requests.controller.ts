import { Body, Controller, Get, Headers, HttpCode, Ip, Param, Put } from '@nestjs/common';
import {
  AuthorizationRoutes,
  type AcceptLoginRequestBody,
  type LoginRequestRedirect,
  type LoginRequestView,
  type RejectLoginRequestBody,
} from '@roomkey/contracts';
import { InRequest, RpcClient, type RequestContext } from '@roomkey/nats';
import { basicCredentials } from '../http/credentials';

/** The partner's login app completes authorization requests here (Ory Hydra's login-challenge API); the issuer validates the bodies. */
@Controller('v1/login-requests/:challenge')
export class LoginRequestsController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  get(@InRequest() context: RequestContext, @Param('challenge') challenge: string, @Headers('authorization') authorization: string | undefined, @Ip() ip: string): Promise<LoginRequestView> {
    return this.rpc.request(AuthorizationRoutes.getLoginRequest, { challenge, ...basicCredentials(authorization), clientAddress: ip }, context);
  }

  /** `{subject, role?, rooms?}` → `{redirectTo}` (the client's redirect URI with a one-time code). */
  @Put('accept')
  @HttpCode(200)
  accept(@InRequest() context: RequestContext, @Param('challenge') challenge: string, @Headers('authorization') authorization: string | undefined, @Body() body: AcceptLoginRequestBody, @Ip() ip: string): Promise<LoginRequestRedirect> {
    return this.rpc.request(AuthorizationRoutes.acceptLoginRequest, { challenge, ...basicCredentials(authorization), body, clientAddress: ip }, context);
  }

  /** `{error, error_description?}` → `{redirectTo}` (the client's redirect URI with the error). */
  @Put('reject')
  @HttpCode(200)
  reject(@InRequest() context: RequestContext, @Param('challenge') challenge: string, @Headers('authorization') authorization: string | undefined, @Body() body: RejectLoginRequestBody, @Ip() ip: string): Promise<LoginRequestRedirect> {
    return this.rpc.request(AuthorizationRoutes.rejectLoginRequest, { challenge, ...basicCredentials(authorization), body, clientAddress: ip }, context);
  }
}
