/**
 * What each admin route needs, declared once on the route (or its controller): a scope an admin key
 * must hold, whether a key bound to one tenant may use it, or the bootstrap token alone. A route
 * without a declaration admits the bootstrap token only (fail closed).
 */
import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AdminPrincipal, AdminScope } from '@roomkey/contracts';
import type { FastifyRequest } from 'fastify';

export const ADMIN_REQUIREMENT = 'roomkey:admin-requirement';

export interface AdminRequirement {
  /** null: the bootstrap token only (admin-key management). */
  scope: Exclude<AdminScope, '*'> | null;
  /** Refused (403) to a key bound to one tenant: the route is not about one tenant (creating one). */
  allTenants?: boolean;
  /** Other scopes that are enough too (reading what either scope covers). */
  orScopes?: Exclude<AdminScope, '*'>[];
}

/** The scope an admin key needs for this route (`*` holds every scope). */
export const RequireScope = (scope: Exclude<AdminScope, '*'>, options: { allTenants?: boolean; orScopes?: Exclude<AdminScope, '*'>[] } = {}) =>
  SetMetadata(ADMIN_REQUIREMENT, { scope, ...options } satisfies AdminRequirement);

/** Only ROOMKEY_ADMIN_TOKEN: admin keys never manage admin keys (key management stays a top-level right). */
export const BootstrapOnly = () => SetMetadata(ADMIN_REQUIREMENT, { scope: null } satisfies AdminRequirement);

/** Who the admin guard let in: the bootstrap token (`tenant: null`, every scope) or an admin key. */
export type AdminCaller = AdminPrincipal & { bootstrap: boolean };

const ADMIN_CALLER = Symbol('adminCaller');

export function setAdminCaller(request: FastifyRequest, caller: AdminCaller): void {
  (request as unknown as Record<symbol, AdminCaller>)[ADMIN_CALLER] = caller;
}

export function adminCallerOf(request: FastifyRequest): AdminCaller | undefined {
  return (request as unknown as Record<symbol, AdminCaller | undefined>)[ADMIN_CALLER];
}

/** The admin caller as a handler parameter (e.g. a tenant-bound key's list holds only its tenant). */
export const CurrentAdminCaller = createParamDecorator((_data: unknown, context: ExecutionContext) => adminCallerOf(context.switchToHttp().getRequest<FastifyRequest>()));
