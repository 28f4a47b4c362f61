import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { KeysRoutes, type RequestOf } from '@roomkey/contracts';
import { TenantService } from '../tenants/tenant.service';
import { ClientService } from './client.service';
import { InRequest, type RequestContext } from '@roomkey/nats';

@Controller()
export class ClientHandlers {
  constructor(
    private readonly clients: ClientService,
    private readonly tenants: TenantService,
  ) {}

  @MessagePattern(KeysRoutes.createClient.subject)
  async create(@Payload() payload: RequestOf<typeof KeysRoutes.createClient>, @InRequest() context: RequestContext) {
    // An unknown tenant is 404 before its body is looked at.
    const tenant = await this.tenants.get(payload.tenant);
    return this.clients.create(tenant, KeysRoutes.createClient.request.parse(payload).body, context);
  }

  @MessagePattern(KeysRoutes.listClients.subject)
  async list(@Payload() payload: unknown) {
    return { items: await this.clients.list(KeysRoutes.listClients.request.parse(payload).tenant) };
  }

  @MessagePattern(KeysRoutes.getClient.subject)
  async get(@Payload() payload: unknown) {
    const { tenant, clientId } = KeysRoutes.getClient.request.parse(payload);
    return this.clients.get(tenant, clientId);
  }

  @MessagePattern(KeysRoutes.rotateClientSecret.subject)
  async rotateSecret(@Payload() payload: RequestOf<typeof KeysRoutes.rotateClientSecret>, @InRequest() context: RequestContext) {
    await this.tenants.get(payload?.tenant);
    const { tenant, clientId, body } = KeysRoutes.rotateClientSecret.request.parse(payload);
    return this.clients.rotateSecret(tenant, clientId, context, body.graceSeconds);
  }

  @MessagePattern(KeysRoutes.updateClient.subject)
  async update(@Payload() payload: RequestOf<typeof KeysRoutes.updateClient>, @InRequest() context: RequestContext) {
    await this.tenants.get(payload?.tenant);
    const { tenant, clientId, body } = KeysRoutes.updateClient.request.parse(payload);
    return this.clients.update(tenant, clientId, body, context);
  }

  @MessagePattern(KeysRoutes.revokeClient.subject)
  async revoke(@Payload() payload: unknown, @InRequest() context: RequestContext) {
    const { tenant, clientId } = KeysRoutes.revokeClient.request.parse(payload);
    await this.clients.revoke(tenant, clientId, context);
    return {};
  }

  @MessagePattern(KeysRoutes.resolveClient.subject)
  async resolve(@Payload() payload: unknown) {
    return { client: await this.clients.resolve(KeysRoutes.resolveClient.request.parse(payload).clientId) };
  }
}
