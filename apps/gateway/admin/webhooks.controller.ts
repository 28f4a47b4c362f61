import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { KeysRoutes, type CreateWebhookBody } from '@roomkey/contracts';
import { RpcClient } from '@roomkey/nats';
import { AdminAuthGuard } from './admin-auth.guard';
import { RequireScope } from './admin-scope';

/** A tenant's webhook endpoints; the keys service validates, stores (secret sealed) and delivers. */
@Controller('admin/tenants/:tenant/webhooks')
@UseGuards(AdminAuthGuard)
@RequireScope('keys:write')
export class WebhooksController {
  constructor(private readonly rpc: RpcClient) {}

  /** The secret is in this answer only. */
  @Post()
  @HttpCode(201)
  create(@Param('tenant') tenant: string, @Body() body: CreateWebhookBody) {
    return this.rpc.request(KeysRoutes.createWebhook, { tenant, body });
  }

  @Get()
  @RequireScope('keys:write', { orScopes: ['tenants:read'] })
  list(@Param('tenant') tenant: string) {
    return this.rpc.request(KeysRoutes.listWebhooks, { tenant });
  }

  @Delete(':webhookId')
  @HttpCode(204)
  async delete(@Param('tenant') tenant: string, @Param('webhookId') id: string): Promise<void> {
    await this.rpc.request(KeysRoutes.deleteWebhook, { tenant, id });
  }

  @Get(':webhookId/deliveries')
  @RequireScope('keys:write', { orScopes: ['events:read'] })
  deliveries(@Param('tenant') tenant: string, @Param('webhookId') id: string) {
    return this.rpc.request(KeysRoutes.listWebhookDeliveries, { tenant, id });
  }
}
