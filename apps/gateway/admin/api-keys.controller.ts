import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { KeysRoutes, type CreateApiKeyBody, type RotateApiKeyBody, type UpdateApiKeyBody } from '@roomkey/contracts';
import { InRequest, RpcClient, type RequestContext } from '@roomkey/nats';
import { AdminAuthGuard } from './admin-auth.guard';
import { RequireScope } from './admin-scope';

@Controller('admin/tenants/:tenant/api-keys')
@UseGuards(AdminAuthGuard)
@RequireScope('keys:write')
export class ApiKeysController {
  constructor(private readonly rpc: RpcClient) {}

  /** The keys service validates the body (after finding the tenant, so an unknown one is 404). */
  @Post()
  @HttpCode(201)
  create(@InRequest() context: RequestContext, @Param('tenant') tenant: string, @Body() body: CreateApiKeyBody) {
    return this.rpc.request(KeysRoutes.createApiKey, { tenant, body }, context);
  }

  @Get()
  @RequireScope('tenants:read')
  list(@InRequest() context: RequestContext, @Param('tenant') tenant: string) {
    return this.rpc.request(KeysRoutes.listApiKeys, { tenant }, context);
  }

  /** A new secret; the previous one keeps working for `graceSeconds` (default 3600) on every replica. */
  @Post(':apiKey/rotate')
  @HttpCode(201)
  rotate(@InRequest() context: RequestContext, @Param('tenant') tenant: string, @Param('apiKey') apiKey: string, @Body() body: RotateApiKeyBody | undefined) {
    return this.rpc.request(KeysRoutes.rotateApiKey, { tenant, apiKey, body: body ?? {} }, context);
  }

  @Patch(':apiKey')
  update(@InRequest() context: RequestContext, @Param('tenant') tenant: string, @Param('apiKey') apiKey: string, @Body() body: UpdateApiKeyBody) {
    return this.rpc.request(KeysRoutes.updateApiKey, { tenant, apiKey, body }, context);
  }

  @Delete(':apiKey')
  @HttpCode(204)
  async revoke(@InRequest() context: RequestContext, @Param('tenant') tenant: string, @Param('apiKey') apiKey: string): Promise<void> {
    await this.rpc.request(KeysRoutes.revokeApiKey, { tenant, apiKey }, context);
  }
}
