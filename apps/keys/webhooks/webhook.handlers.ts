import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { KeysRoutes, type RequestOf } from '@roomkey/contracts';
import { TenantService } from '../tenants/tenant.service';
import { WebhookService } from './webhook.service';

/** The gateway has authorised the admin caller (keys:write to manage, events:read or keys:write for deliveries). */
@Controller()
export class WebhookHandlers {
  constructor(
    private readonly webhooks: WebhookService,
    private readonly tenants: TenantService,
  ) {}

  @MessagePattern(KeysRoutes.createWebhook.subject)
  async create(@Payload() payload: RequestOf<typeof KeysRoutes.createWebhook>) {
    // An unknown tenant is 404 before its body is looked at.
    await this.tenants.get(payload?.tenant);
    const { tenant, body } = KeysRoutes.createWebhook.request.parse(payload);
    return this.webhooks.create(tenant, body);
  }

  @MessagePattern(KeysRoutes.listWebhooks.subject)
  async list(@Payload() payload: unknown) {
    return { items: await this.webhooks.list(KeysRoutes.listWebhooks.request.parse(payload).tenant) };
  }

  @MessagePattern(KeysRoutes.deleteWebhook.subject)
  async delete(@Payload() payload: unknown) {
    const { tenant, id } = KeysRoutes.deleteWebhook.request.parse(payload);
    await this.webhooks.delete(tenant, id);
    return {};
  }

  @MessagePattern(KeysRoutes.listWebhookDeliveries.subject)
  async deliveries(@Payload() payload: unknown) {
    const { tenant, id } = KeysRoutes.listWebhookDeliveries.request.parse(payload);
    return { items: await this.webhooks.listDeliveries(tenant, id) };
  }
}
