import { Controller, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import type { GatewayConfig } from '@roomkey/config';
import { KeysRoutes } from '@roomkey/contracts';
import { InRequest, RpcClient, type RequestContext } from '@roomkey/nats';
import { GATEWAY_CONFIG } from '../infra.module';
import { AdminAuthGuard } from './admin-auth.guard';
import { keyGenerationTimeoutMs } from './key-generation';
import { RequireScope } from './admin-scope';

@Controller('admin/tenants/:tenant/signing-keys')
@UseGuards(AdminAuthGuard)
@RequireScope('keys:write')
export class SigningKeysController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  @RequireScope('tenants:read')
  list(@InRequest() context: RequestContext, @Param('tenant') tenant: string) {
    return this.rpc.request(KeysRoutes.listSigningKeys, { tenant }, context);
  }

  /** Rotates now: next → active, active → retiring, a fresh next. Answers the new active key. */
  @Post('rotate')
  @HttpCode(201)
  rotate(@InRequest() context: RequestContext, @Param('tenant') tenant: string) {
    return this.rpc.request(KeysRoutes.rotateSigningKeys, { tenant }, context, keyGenerationTimeoutMs(this.config));
  }

  /** A compromised key: out of the JWKS at once; its tokens stop verifying on every replica. */
  @Post(':kid/revoke')
  @HttpCode(200)
  revoke(@InRequest() context: RequestContext, @Param('tenant') tenant: string, @Param('kid') kid: string) {
    return this.rpc.request(KeysRoutes.revokeSigningKey, { tenant, kid }, context);
  }
}
