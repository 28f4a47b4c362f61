import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { KeysRoutes, type CreateAdminKeyBody } from '@roomkey/contracts';
import { RpcClient } from '@roomkey/nats';
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
  create(@Body() body: CreateAdminKeyBody) {
    return this.rpc.request(KeysRoutes.createAdminKey, { body });
  }

  @Get()
  list() {
    return this.rpc.request(KeysRoutes.listAdminKeys, {});
  }

  /** Every gateway refuses the key within a second (`admin-key.revoked`). */
  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id') id: string): Promise<void> {
    await this.rpc.request(KeysRoutes.revokeAdminKey, { id });
  }
}
