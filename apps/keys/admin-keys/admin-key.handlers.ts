import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { KeysRoutes } from '@roomkey/contracts';
import { AdminKeyService } from './admin-key.service';
import { InRequest, type RequestContext } from '@roomkey/nats';

/** The gateway lets only the bootstrap token reach create, list and revoke. */
@Controller()
export class AdminKeyHandlers {
  constructor(private readonly adminKeys: AdminKeyService) {}

  @MessagePattern(KeysRoutes.createAdminKey.subject)
  create(@Payload() payload: unknown, @InRequest() context: RequestContext) {
    return this.adminKeys.create(KeysRoutes.createAdminKey.request.parse(payload).body, context);
  }

  @MessagePattern(KeysRoutes.listAdminKeys.subject)
  async list() {
    return { items: await this.adminKeys.list() };
  }

  @MessagePattern(KeysRoutes.revokeAdminKey.subject)
  async revoke(@Payload() payload: unknown, @InRequest() context: RequestContext) {
    await this.adminKeys.revoke(KeysRoutes.revokeAdminKey.request.parse(payload).id, context);
    return {};
  }

  @MessagePattern(KeysRoutes.authenticateAdminKey.subject)
  async authenticate(@Payload() payload: unknown) {
    return { principal: await this.adminKeys.authenticate(KeysRoutes.authenticateAdminKey.request.parse(payload).secret) };
  }
}
