import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { KeysRoutes, type CreateAdminKeyBody } from '@roomkey/contracts';
import { InRequest, RpcClient, type RequestContext } from '@roomkey/nats';
import { AdminAuthGuard } from './admin-auth.guard';
import { BootstrapOnly } from './admin-scope';

/** Scoped admin credentials: managed with the bootstrap token alone. */
@Controller('admin/admin-keys')
@UseGuards(AdminAuthGuard)
@BootstrapOnly()
export class AdminKeysController {
  constructor(private readonly rpc: RpcClient) {}

  /** The keys service validates the body; the secret is in this answer only. */
  @Post()
  @HttpCode(201)
  create(@InRequest() context: RequestContext, @Body() body: CreateAdminKeyBody) {
    return this.rpc.request(KeysRoutes.createAdminKey, { body }, context);
  }

  @Get()
  list(@InRequest() context: RequestContext) {
    return this.rpc.request(KeysRoutes.listAdminKeys, {}, context);
  }

  /** Every gateway refuses the key within a second (`admin-key.revoked`). */
  @Delete(':id')
  @HttpCode(204)
  async revoke(@InRequest() context: RequestContext, @Param('id') id: string): Promise<void> {
    await this.rpc.request(KeysRoutes.revokeAdminKey, { id }, context);
  }
}
