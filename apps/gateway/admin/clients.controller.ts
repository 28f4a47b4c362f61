import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { KeysRoutes, type CreateClientBody, type RotateClientSecretBody, type UpdateClientBody } from '@roomkey/contracts';
import { InRequest, RpcClient, type RequestContext } from '@roomkey/nats';
import { AdminAuthGuard } from './admin-auth.guard';
import { RequireScope } from './admin-scope';

@Controller('admin/tenants/:tenant/clients')
@UseGuards(AdminAuthGuard)
@RequireScope('keys:write')
export class ClientsController {
  constructor(private readonly rpc: RpcClient) {}

  /** The keys service validates the body (after finding the tenant, so an unknown one is 404). */
  @Post()
  @HttpCode(201)
  create(@InRequest() context: RequestContext, @Param('tenant') tenant: string, @Body() body: CreateClientBody) {
    return this.rpc.request(KeysRoutes.createClient, { tenant, body }, context);
  }

  @Get()
  @RequireScope('tenants:read')
  list(@InRequest() context: RequestContext, @Param('tenant') tenant: string) {
    return this.rpc.request(KeysRoutes.listClients, { tenant }, context);
  }

  @Get(':clientId')
  @RequireScope('tenants:read')
  get(@InRequest() context: RequestContext, @Param('tenant') tenant: string, @Param('clientId') clientId: string) {
    return this.rpc.request(KeysRoutes.getClient, { tenant, clientId }, context);
  }

  /** The keys service validates the body; the result must still be a valid client. */
  @Patch(':clientId')
  update(@InRequest() context: RequestContext, @Param('tenant') tenant: string, @Param('clientId') clientId: string, @Body() body: UpdateClientBody) {
    return this.rpc.request(KeysRoutes.updateClient, { tenant, clientId, body }, context);
  }

  /**
   * A new secret; the previous one keeps working for `graceSeconds` (default
   * ROOMKEY_CLIENT_SECRET_GRACE_SECONDS). `…/secret` is the older path of the same operation.
   */
  @Post([':clientId/secret/rotate', ':clientId/secret'])
  @HttpCode(201)
  rotateSecret(@InRequest() context: RequestContext, @Param('tenant') tenant: string, @Param('clientId') clientId: string, @Body() body: RotateClientSecretBody | undefined) {
    return this.rpc.request(KeysRoutes.rotateClientSecret, { tenant, clientId, body: body ?? {} }, context);
  }

  @Delete(':clientId')
  @HttpCode(204)
  async revoke(@InRequest() context: RequestContext, @Param('tenant') tenant: string, @Param('clientId') clientId: string): Promise<void> {
    await this.rpc.request(KeysRoutes.revokeClient, { tenant, clientId }, context);
  }
}
