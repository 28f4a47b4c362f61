import { Body, Controller, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import type { GatewayConfig } from '@roomkey/config';
import { KeysRoutes, issuerUrl, type AdminTenant, type CreateTenantBody, type TenantView } from '@roomkey/contracts';
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

  /** The keys service validates the body; its sentences name the field. */
  @Post()
  @HttpCode(201)
  async create(@Body() body: CreateTenantBody): Promise<AdminTenant> {
    return this.withIssuer(await this.rpc.request(KeysRoutes.createTenant, { body }));
  }

  @Get(':tenant')
  async get(@Param('tenant') tenant: string): Promise<AdminTenant> {
    return this.withIssuer(await this.rpc.request(KeysRoutes.getTenant, { tenant }));
  }

  private withIssuer(tenant: TenantView): AdminTenant {
    return { ...tenant, issuer: issuerUrl(this.config.publicUrl, tenant.shortcode) };
  }
}
