import { Body, Controller, Delete, HttpCode, Param, Put, UseGuards } from '@nestjs/common';
import { KeysRoutes, type MediaPlatform, type PutMediaPlatformBody } from '@roomkey/contracts';
import { InRequest, RpcClient, type RequestContext } from '@roomkey/nats';
import { AdminAuthGuard } from './admin-auth.guard';
import { RequireScope } from './admin-scope';

/** Claim profiles: a tenant's media-platform credentials (the keys service checks the platform and the body). */
@Controller('admin/tenants/:tenant/media-platforms')
@UseGuards(AdminAuthGuard)
@RequireScope('keys:write')
export class MediaPlatformsController {
  constructor(private readonly rpc: RpcClient) {}

  @Put(':platform')
  @HttpCode(204)
  async put(@InRequest() context: RequestContext, @Param('tenant') tenant: string, @Param('platform') platform: string, @Body() body: PutMediaPlatformBody): Promise<void> {
    await this.rpc.request(KeysRoutes.putMediaPlatform, { tenant, platform: platform as MediaPlatform, body }, context);
  }

  @Delete(':platform')
  @HttpCode(204)
  async remove(@InRequest() context: RequestContext, @Param('tenant') tenant: string, @Param('platform') platform: string): Promise<void> {
    await this.rpc.request(KeysRoutes.removeMediaPlatform, { tenant, platform: platform as MediaPlatform }, context);
  }
}
