import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IssuerRoutes, RevokeBeforeBodySchema, requireObject, splitCaller, validator, type RevokedTenantTokens, type RevokedUserTokens } from '@roomkey/contracts';
import { ApiKeyAuthenticator } from '../authentication/api-key-authenticator';
import { CutoffRevocationService } from './cutoff-revocation.service';
import { InRequest, type RequestContext } from '@roomkey/nats';

const REVOKE_BEFORE_BODY = validator(RevokeBeforeBodySchema);

@Controller()
export class CutoffRevocationHandlers {
  constructor(
    private readonly apiKeys: ApiKeyAuthenticator,
    private readonly revocation: CutoffRevocationService,
  ) {}

  /** `POST /v1/users/{userId}/revoke`: any API key of the tenant. */
  @MessagePattern(IssuerRoutes.revokeUserTokens.subject)
  async revokeUser(@Payload() request: unknown, @InRequest() context: RequestContext): Promise<RevokedUserTokens> {
    const { caller, body } = splitCaller(requireObject(request));
    const credential = await this.apiKeys.authenticate(caller, context);
    const { userId, issuedBefore } = IssuerRoutes.revokeUserTokens.request.parse(body);
    return this.revocation.revokeUser(credential.tenant, userId, issuedBefore, context);
  }

  /** `POST /admin/tenants/{t}/revoke-before`: the gateway has authorised the admin caller. */
  @MessagePattern(IssuerRoutes.revokeTenantTokens.subject)
  async revokeTenant(@Payload() request: unknown, @InRequest() context: RequestContext): Promise<RevokedTenantTokens> {
    const { tenant, body } = IssuerRoutes.revokeTenantTokens.request.parse(request, 'Request');
    return this.revocation.revokeTenant(tenant, REVOKE_BEFORE_BODY.parse(body).issuedBefore, context);
  }
}
