import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { KeysRoutes, type RequestOf } from '@roomkey/contracts';
import { TenantService } from './tenant.service';

@Controller()
export class TenantHandlers {
  constructor(private readonly tenants: TenantService) {}

  @MessagePattern(KeysRoutes.createTenant.subject)
  create(@Payload() request: RequestOf<typeof KeysRoutes.createTenant>) {
    return this.tenants.create(request.body);
  }

  @MessagePattern(KeysRoutes.getTenant.subject)
  get(@Payload() request: RequestOf<typeof KeysRoutes.getTenant>) {
    return this.tenants.get(request.tenant);
  }
}
