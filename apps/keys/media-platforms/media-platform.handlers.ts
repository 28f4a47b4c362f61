import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { KeysRoutes, type RequestOf } from '@roomkey/contracts';
import { TenantService } from '../tenants/tenant.service';
import { MediaPlatformService } from './media-platform.service';
import { InRequest, type RequestContext } from '@roomkey/nats';

@Controller()
export class MediaPlatformHandlers {
  constructor(
    private readonly platforms: MediaPlatformService,
    private readonly tenants: TenantService,
  ) {}

  @MessagePattern(KeysRoutes.putMediaPlatform.subject)
  async put(@Payload() payload: RequestOf<typeof KeysRoutes.putMediaPlatform>, @InRequest() context: RequestContext) {
    // An unknown tenant is 404 before its body is looked at.
    await this.tenants.get(payload?.tenant);
    const { tenant, platform, body } = KeysRoutes.putMediaPlatform.request.parse(payload);
    await this.platforms.put(tenant, platform, body, context);
    return {};
  }

  @MessagePattern(KeysRoutes.removeMediaPlatform.subject)
  async remove(@Payload() payload: unknown, @InRequest() context: RequestContext) {
    const { tenant, platform } = KeysRoutes.removeMediaPlatform.request.parse(payload);
    await this.platforms.remove(tenant, platform, context);
    return {};
  }
}
