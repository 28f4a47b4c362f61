import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { KeysRoutes, type CreateApiKeyBody } from '@roomkey/contracts';
import { RpcClient } from '@roomkey/nats';
import { AdminAuthGuard } from './admin-auth.guard';

@Controller('admin/tenants/:tenant/api-keys')
@UseGuards(AdminAuthGuard)
export class ApiKeysController {
  constructor(private readonly rpc: RpcClient) {}

  /** The keys service validates the body (after finding the tenant, so an unknown one is 404). */
  @Post()
  @HttpCode(201)
  create(@Param('tenant') tenant: string, @Body() body: CreateApiKeyBody) {
    return this.rpc.request(KeysRoutes.createApiKey, { tenant, body });
  }

  @Get()
  list(@Param('tenant') tenant: string) {
    return this.rpc.request(KeysRoutes.listApiKeys, { tenant });
  }

  @Delete(':apiKey')
  @HttpCode(204)
  async revoke(@Param('tenant') tenant: string, @Param('apiKey') apiKey: string): Promise<void> {
    await this.rpc.request(KeysRoutes.revokeApiKey, { tenant, apiKey });
  }
}
