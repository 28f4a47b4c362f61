import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IssuerRoutes, RevokeBeforeBodySchema, requireObject, splitCaller, validator, type IssuerRevocations, type RevokedTenantTokens, type RevokedUserTokens } from '@roomkey/contracts';
import { ApiKeyAuthenticator } from '../authentication/api-key-authenticator';
import { CutoffRevocationService } from './cutoff-revocation.service';
import { RevocationsInForce } from './revocations-in-force';

const REVOKE_BEFORE_BODY = validator(RevokeBeforeBodySchema);

@Controller()
export class CutoffRevocationHandlers {
  constructor(
    private readonly apiKeys: ApiKeyAuthenticator,
    private readonly revocation: CutoffRevocationService,
    private readonly inForce: RevocationsInForce,
  ) {}

  /** The snapshot of GET /realms/{t}/revocations: the gateway has authenticated an API key of the tenant. */
  @MessagePattern(IssuerRoutes.revocationsInForce.subject)
  revocationsInForce(@Payload() request: unknown): Promise<IssuerRevocations> {
    return this.inForce.of(IssuerRoutes.revocationsInForce.request.parse(request, 'Request').tenant);
  }

  /** `POST /v1/users/{userId}/revoke`: any API key of the tenant. */
  @MessagePattern(IssuerRoutes.revokeUserTokens.subject)
  async revokeUser(@Payload() request: unknown): Promise<RevokedUserTokens> {
    const { caller, body } = splitCaller(requireObject(request));
    const credential = await this.apiKeys.authenticate(caller);
    const { userId, issuedBefore } = IssuerRoutes.revokeUserTokens.request.parse(body);
    return this.revocation.revokeUser(credential.tenant, userId, issuedBefore);
  }

  /** `POST /admin/tenants/{t}/revoke-before`: the gateway has authorised the admin caller. */
  @MessagePattern(IssuerRoutes.revokeTenantTokens.subject)
  async revokeTenant(@Payload() request: unknown): Promise<RevokedTenantTokens> {
    const { tenant, body } = IssuerRoutes.revokeTenantTokens.request.parse(request, 'Request');
    return this.revocation.revokeTenant(tenant, REVOKE_BEFORE_BODY.parse(body).issuedBefore);
  }
}
