import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { KeysRoutes } from '@roomkey/contracts';
import { InRequest, RpcClient, type RequestContext } from '@roomkey/nats';
import { AdminAuthGuard } from './admin-auth.guard';
import { RequireScope } from './admin-scope';

@Controller('admin/tenants/:tenant/signing-keys')
@UseGuards(AdminAuthGuard)
@RequireScope('keys:write')
export class SigningKeysController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @RequireScope('tenants:read')
  list(@InRequest() context: RequestContext, @Param('tenant') tenant: string) {
    return this.rpc.request(KeysRoutes.listSigningKeys, { tenant }, context);
  }

  /** Rotates now: next → active, active → retiring, a fresh next. Answers the new active key. */
  @Post('rotate')
  @HttpCode(201)
  rotate(@InRequest() context: RequestContext, @Param('tenant') tenant: string) {
    return this.rpc.request(KeysRoutes.rotateSigningKeys, { tenant }, context);
  }

  /** A compromised key: out of the JWKS at once; its tokens stop verifying on every replica. */
  @Post(':kid/revoke')
  @HttpCode(200)
  revoke(@InRequest() context: RequestContext, @Param('tenant') tenant: string, @Param('kid') kid: string) {
    return this.rpc.request(KeysRoutes.revokeSigningKey, { tenant, kid }, context);
  }
}
