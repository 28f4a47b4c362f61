import 'reflect-metadata';
import { ForbiddenError, NotFoundError } from '@roomkey/errors';
import { ApiKeysController } from './api-keys.controller';
import { authorise } from './admin-auth.guard';
import { AdminKeysController } from './admin-keys.controller';
import { ADMIN_REQUIREMENT, type AdminCaller, type AdminRequirement } from './admin-scope';
import { ClientsController } from './clients.controller';
import { SigningKeysController } from './signing-keys.controller';
import { TenantsController } from './tenants.controller';
import { TokenRevocationController } from './token-revocation.controller';

const key = (scopes: AdminCaller['scopes'], tenant: string | null = null): AdminCaller => ({ id: 'adm_x', tenant, scopes, bootstrap: false });
const bootstrap: AdminCaller = { id: 'bootstrap', tenant: null, scopes: ['*'], bootstrap: true };

describe('admin authorisation', () => {
  it('lets the bootstrap token do everything, admin-key management included', () => {
    expect(() => authorise(bootstrap, { scope: null }, undefined)).not.toThrow();
    expect(() => authorise(bootstrap, undefined, 'any')).not.toThrow();
  });

  it('checks the scope (* holds every one), and refuses admin-key management and undeclared routes to keys', () => {
    expect(() => authorise(key(['tenants:read']), { scope: 'tenants:read' }, 'a')).not.toThrow();
    expect(() => authorise(key(['*']), { scope: 'keys:write' }, 'a')).not.toThrow();
    expect(() => authorise(key(['tenants:read']), { scope: 'tenants:write' }, 'a')).toThrow(ForbiddenError);
    expect(() => authorise(key(['*']), { scope: null }, undefined)).toThrow(ForbiddenError);
    expect(() => authorise(key(['*']), undefined, 'a')).toThrow(ForbiddenError);
  });

  it('answers 404 for another tenant before looking at scopes, and 403 for routes that are not about one tenant', () => {
    expect(() => authorise(key(['tenants:read'], 'a'), { scope: 'tenants:write' }, 'b')).toThrow(NotFoundError);
    expect(() => authorise(key(['*'], 'a'), { scope: 'tenants:read' }, 'a')).not.toThrow();
    expect(() => authorise(key(['*'], 'a'), { scope: 'tenants:write', allTenants: true }, undefined)).toThrow(ForbiddenError);
    expect(() => authorise(key(['*']), { scope: 'tenants:write', allTenants: true }, undefined)).not.toThrow();
  });

  it('finds a declared requirement on every admin route (handler or controller)', () => {
    const controllers = [TenantsController, ApiKeysController, ClientsController, SigningKeysController, TokenRevocationController, AdminKeysController];
    for (const controller of controllers) {
      const prototype = controller.prototype as unknown as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata('method', handler) === undefined) continue;
        const requirement: AdminRequirement | undefined = Reflect.getMetadata(ADMIN_REQUIREMENT, handler) ?? Reflect.getMetadata(ADMIN_REQUIREMENT, controller);
        expect({ route: `${controller.name}.${name}`, declared: requirement !== undefined }).toEqual({ route: `${controller.name}.${name}`, declared: true });
      }
    }
  });
});
