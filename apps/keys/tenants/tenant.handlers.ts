import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { KeysRoutes } from '@roomkey/contracts';
import { TenantService } from './tenant.service';

@Controller()
export class TenantHandlers {
  constructor(private readonly tenants: TenantService) {}

  @MessagePattern(KeysRoutes.createTenant.subject)
  async create(@Payload() payload: unknown) {
    return this.tenants.create(KeysRoutes.createTenant.request.parse(payload).body);
  }

  @MessagePattern(KeysRoutes.getTenant.subject)
  async get(@Payload() payload: unknown) {
    return this.tenants.get(KeysRoutes.getTenant.request.parse(payload).tenant);
  }
}
