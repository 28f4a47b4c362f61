import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import type { GatewayConfig } from '@roomkey/config';
import { KeysRoutes, issuerUrl, type AdminTenant, type CreateTenantBody, type TenantView, type UpdateTenantBody } from '@roomkey/contracts';
import { NotFoundError } from '@roomkey/errors';
import { InRequest, RpcClient, type RequestContext } from '@roomkey/nats';
import { GATEWAY_CONFIG } from '../infra.module';
import { AdminAuthGuard } from './admin-auth.guard';
import { keyGenerationTimeoutMs } from './key-generation';
import { CurrentAdminCaller, RequireScope, type AdminCaller } from './admin-scope';

@Controller('admin/tenants')
@UseGuards(AdminAuthGuard)
@RequireScope('tenants:write')
export class TenantsController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** The keys service validates the body; its sentences name the field. */
  @Post()
  @HttpCode(201)
  @RequireScope('tenants:write', { allTenants: true })
  async create(@InRequest() context: RequestContext, @Body() body: CreateTenantBody): Promise<AdminTenant> {
    return this.withIssuer(await this.rpc.request(KeysRoutes.createTenant, { body }, context, keyGenerationTimeoutMs(this.config)));
  }

  /** One page of tenants in shortcode order; `nextCursor` (opaque) asks for the next, null on the last. */
  @Get()
  @RequireScope('tenants:read')
  async list(@InRequest() context: RequestContext, @Query() query: Record<string, unknown>, @CurrentAdminCaller() caller?: AdminCaller): Promise<{ items: AdminTenant[]; nextCursor: string | null }> {
    // An admin key bound to a tenant sees that tenant alone (none once it is deleted).
    if (caller?.tenant) {
      const own = await this.get(context, caller.tenant).catch((error: unknown) => (error instanceof NotFoundError ? null : Promise.reject(error)));
      return { items: own ? [own] : [], nextCursor: null };
    }
    const limit = typeof query.limit === 'string' && /^\d{1,9}$/.test(query.limit) ? Number(query.limit) : query.limit;
    const page = await this.rpc.request(KeysRoutes.listTenants, {
      ...(limit !== undefined ? { limit: limit as number } : {}),
      ...(query.cursor !== undefined ? { cursor: query.cursor as string } : {}),
    }, context);
    return { items: page.items.map((tenant) => this.withIssuer(tenant)), nextCursor: page.nextCursor };
  }

  @Get(':tenant')
  @RequireScope('tenants:read')
  async get(@InRequest() context: RequestContext, @Param('tenant') tenant: string): Promise<AdminTenant> {
    return this.withIssuer(await this.rpc.request(KeysRoutes.getTenant, { tenant }, context));
  }

  /** The keys service validates the body; every issuer and identity replica applies it within moments. */
  @Patch(':tenant')
  async update(@InRequest() context: RequestContext, @Param('tenant') tenant: string, @Body() body: UpdateTenantBody): Promise<AdminTenant> {
    return this.withIssuer(await this.rpc.request(KeysRoutes.updateTenant, { tenant, body }, context));
  }

  /** Every key and client revoked, the JWKS gone; the shortcode is held for a day. */
  @Delete(':tenant')
  @HttpCode(204)
  async delete(@InRequest() context: RequestContext, @Param('tenant') tenant: string): Promise<void> {
    await this.rpc.request(KeysRoutes.deleteTenant, { tenant }, context);
  }

  private withIssuer(tenant: TenantView): AdminTenant {
    return { ...tenant, issuer: issuerUrl(this.config.publicUrl, tenant.shortcode) };
  }
}
