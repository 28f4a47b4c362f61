import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { KeysRoutes, PERMISSIONS, ROLES, isPermission, isRole, type RequestOf } from '@roomkey/contracts';
import { InvalidRequestError } from '@roomkey/errors';
import { TenantService } from './tenant.service';
import { InRequest, type RequestContext } from '@roomkey/nats';

/** Sentences the schema cannot word as precisely: a patched shortcode, an unknown role or permission. */
function refuseWhatPatchCannotChange(body: unknown): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
  const { shortcode, roleMatrix } = body as Record<string, unknown>;
  if (shortcode !== undefined) throw new InvalidRequestError("Field 'shortcode' cannot be changed: it is the tenant's id in every path and token", 'shortcode');
  if (typeof roleMatrix !== 'object' || roleMatrix === null || Array.isArray(roleMatrix)) return;
  for (const [role, permissions] of Object.entries(roleMatrix)) {
    if (!isRole(role)) throw new InvalidRequestError(`Field 'roleMatrix' names the unknown role '${role}'; roles are ${ROLES.join(', ')}`, 'roleMatrix');
    const unknown = Array.isArray(permissions) ? permissions.find((p) => !isPermission(p)) : undefined;
    if (unknown !== undefined) {
      throw new InvalidRequestError(`Field 'roleMatrix' gives ${role} the unknown permission '${String(unknown)}'; permissions are ${PERMISSIONS.join(', ')}`, 'roleMatrix');
    }
  }
}

@Controller()
export class TenantHandlers {
  constructor(private readonly tenants: TenantService) {}

  @MessagePattern(KeysRoutes.createTenant.subject)
  async create(@Payload() payload: unknown, @InRequest() context: RequestContext) {
    return this.tenants.create(KeysRoutes.createTenant.request.parse(payload).body, context);
  }

  @MessagePattern(KeysRoutes.getTenant.subject)
  async get(@Payload() payload: unknown) {
    return this.tenants.get(KeysRoutes.getTenant.request.parse(payload).tenant);
  }

  @MessagePattern(KeysRoutes.listTenants.subject)
  async list(@Payload() payload: unknown) {
    return this.tenants.list(KeysRoutes.listTenants.request.parse(payload, 'Query'));
  }

  @MessagePattern(KeysRoutes.updateTenant.subject)
  async update(@Payload() payload: RequestOf<typeof KeysRoutes.updateTenant>, @InRequest() context: RequestContext) {
    // An unknown tenant is 404 before its body is looked at.
    await this.tenants.get(payload?.tenant);
    refuseWhatPatchCannotChange(payload.body);
    const { tenant, body } = KeysRoutes.updateTenant.request.parse(payload);
    return this.tenants.update(tenant, body, context);
  }

  @MessagePattern(KeysRoutes.deleteTenant.subject)
  async delete(@Payload() payload: unknown, @InRequest() context: RequestContext) {
    await this.tenants.delete(KeysRoutes.deleteTenant.request.parse(payload).tenant, context);
    return {};
  }
}
