import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { KeysRoutes, type RequestOf } from '@roomkey/contracts';
import { ClientService } from './client.service';

@Controller()
export class ClientHandlers {
  constructor(private readonly clients: ClientService) {}

  @MessagePattern(KeysRoutes.createClient.subject)
  create(@Payload() request: RequestOf<typeof KeysRoutes.createClient>) {
    return this.clients.create(request.tenant, request.body);
  }

  @MessagePattern(KeysRoutes.listClients.subject)
  async list(@Payload() request: RequestOf<typeof KeysRoutes.listClients>) {
    return { items: await this.clients.list(request.tenant) };
  }

  @MessagePattern(KeysRoutes.getClient.subject)
  get(@Payload() request: RequestOf<typeof KeysRoutes.getClient>) {
    return this.clients.get(request.tenant, request.clientId);
  }

  @MessagePattern(KeysRoutes.rotateClientSecret.subject)
  rotateSecret(@Payload() request: RequestOf<typeof KeysRoutes.rotateClientSecret>) {
    return this.clients.rotateSecret(request.tenant, request.clientId);
  }

  @MessagePattern(KeysRoutes.revokeClient.subject)
  async revoke(@Payload() request: RequestOf<typeof KeysRoutes.revokeClient>) {
    await this.clients.revoke(request.tenant, request.clientId);
    return {};
  }

  @MessagePattern(KeysRoutes.resolveClient.subject)
  async resolve(@Payload() request: RequestOf<typeof KeysRoutes.resolveClient>) {
    return { client: await this.clients.resolve(request.clientId) };
  }
}
