import { Body, Controller, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import type { GatewayConfig } from '@roomkey/config';
import { KeysRoutes, issuerUrl, type TenantView } from '@roomkey/contracts';
import { RpcClient } from '@roomkey/nats';
import { GATEWAY_CONFIG } from '../infra.module';
import { AdminAuthGuard } from './admin-auth.guard';

@Controller('admin/tenants')
@UseGuards(AdminAuthGuard)
export class TenantsController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown) {
    return this.withIssuer(await this.rpc.request(KeysRoutes.createTenant, { body }));
  }

  @Get(':tenant')
  async get(@Param('tenant') tenant: string) {
    return this.withIssuer(await this.rpc.request(KeysRoutes.getTenant, { tenant }));
  }

  private withIssuer(tenant: TenantView) {
    return { ...tenant, issuer: issuerUrl(this.config.publicUrl, tenant.shortcode) };
  }
}
