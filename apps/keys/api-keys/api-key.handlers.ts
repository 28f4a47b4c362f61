import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { KeysRoutes, type RequestOf } from '@roomkey/contracts';
import { TenantService } from '../tenants/tenant.service';
import { ApiKeyService } from './api-key.service';
import { InRequest, type RequestContext } from '@roomkey/nats';

@Controller()
export class ApiKeyHandlers {
  constructor(
    private readonly apiKeys: ApiKeyService,
    private readonly tenants: TenantService,
  ) {}

  @MessagePattern(KeysRoutes.createApiKey.subject)
  async create(@Payload() payload: RequestOf<typeof KeysRoutes.createApiKey>, @InRequest() context: RequestContext) {
    // An unknown tenant is 404 before its body is looked at.
    const tenant = await this.tenants.get(payload.tenant);
    return this.apiKeys.create(tenant, KeysRoutes.createApiKey.request.parse(payload).body, context);
  }

  @MessagePattern(KeysRoutes.listApiKeys.subject)
  async list(@Payload() payload: unknown) {
    return { items: await this.apiKeys.list(KeysRoutes.listApiKeys.request.parse(payload).tenant) };
  }

  @MessagePattern(KeysRoutes.revokeApiKey.subject)
  async revoke(@Payload() payload: unknown, @InRequest() context: RequestContext) {
    const { tenant, apiKey } = KeysRoutes.revokeApiKey.request.parse(payload);
    await this.apiKeys.revoke(tenant, apiKey, context);
    return {};
  }

  @MessagePattern(KeysRoutes.rotateApiKey.subject)
  async rotate(@Payload() payload: RequestOf<typeof KeysRoutes.rotateApiKey>, @InRequest() context: RequestContext) {
    await this.tenants.get(payload?.tenant);
    const { tenant, apiKey, body } = KeysRoutes.rotateApiKey.request.parse(payload);
    return this.apiKeys.rotate(tenant, apiKey, context, body.graceSeconds);
  }

  @MessagePattern(KeysRoutes.updateApiKey.subject)
  async update(@Payload() payload: RequestOf<typeof KeysRoutes.updateApiKey>, @InRequest() context: RequestContext) {
    await this.tenants.get(payload?.tenant);
    const { tenant, apiKey, body } = KeysRoutes.updateApiKey.request.parse(payload);
    return this.apiKeys.rename(tenant, apiKey, body.name, context);
  }

  @MessagePattern(KeysRoutes.apiKeyUsed.subject)
  async used(@Payload() payload: unknown) {
    const report = KeysRoutes.apiKeyUsed.request.parse(payload);
    await this.apiKeys.recordUses('uses' in report ? report.uses : [report]);
    return {};
  }

  @MessagePattern(KeysRoutes.resolveCredential.subject)
  async resolve(@Payload() payload: unknown) {
    return { credential: await this.apiKeys.resolve(KeysRoutes.resolveCredential.request.parse(payload).apiKey) };
  }
}
