import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { IssuerRoutes, type RevokeBeforeBody, type RevokedTenantTokens } from '@roomkey/contracts';
import { InRequest, RpcClient, type RequestContext } from '@roomkey/nats';
import { AdminAuthGuard } from './admin-auth.guard';
import { RequireScope } from './admin-scope';

@Controller('admin/tenants/:tenant')
@UseGuards(AdminAuthGuard)
export class TokenRevocationController {
  constructor(private readonly rpc: RpcClient) {}

  /** Every token of the tenant issued before `issuedBefore` (default now) is refused by every verifier within a second. */
  @Post('revoke-before')
  @HttpCode(200)
  @RequireScope('tokens:revoke')
  revokeBefore(@InRequest() context: RequestContext, @Param('tenant') tenant: string, @Body() body: RevokeBeforeBody | undefined): Promise<RevokedTenantTokens> {
    return this.rpc.request(IssuerRoutes.revokeTenantTokens, { tenant, body: body ?? {} }, context);
  }
}
