import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { KeysRoutes, type RequestOf } from '@roomkey/contracts';
import { ApiKeyService } from './api-key.service';

@Controller()
export class ApiKeyHandlers {
  constructor(private readonly apiKeys: ApiKeyService) {}

  @MessagePattern(KeysRoutes.createApiKey.subject)
  create(@Payload() request: RequestOf<typeof KeysRoutes.createApiKey>) {
    return this.apiKeys.create(request.tenant, request.body);
  }

  @MessagePattern(KeysRoutes.listApiKeys.subject)
  async list(@Payload() request: RequestOf<typeof KeysRoutes.listApiKeys>) {
    return { items: await this.apiKeys.list(request.tenant) };
  }

  @MessagePattern(KeysRoutes.revokeApiKey.subject)
  async revoke(@Payload() request: RequestOf<typeof KeysRoutes.revokeApiKey>) {
    await this.apiKeys.revoke(request.tenant, request.apiKey);
    return {};
  }

  @MessagePattern(KeysRoutes.resolveCredential.subject)
  async resolve(@Payload() request: RequestOf<typeof KeysRoutes.resolveCredential>) {
    return { credential: await this.apiKeys.resolve(request.apiKey) };
  }
}
