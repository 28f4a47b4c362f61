import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '@roomkey/errors';
import { setCurrentActor } from '@roomkey/nats';
import type { FastifyRequest } from 'fastify';
import { bearerToken } from '../http/credentials';
import { AdminCallers } from './admin-callers';
import { ADMIN_REQUIREMENT, setAdminCaller, type AdminCaller, type AdminRequirement } from './admin-scope';

/**
 * Every admin call is authorised here, once: the caller (`Authorization: Bearer` the bootstrap token
 * ROOMKEY_ADMIN_TOKEN or an admin key `rk_admin_…`), then the route's declared requirement
 * (admin-scope.ts). A key bound to one tenant gets 404 for any other tenant — the same answer as
 * for a tenant that does not exist — before its scopes are looked at; outside its scopes, 403. The
 * caller's id becomes the request's actor: it travels with the request to the services, which put
 * it on every event of the change.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    private readonly callers: AdminCallers,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerToken(request.headers.authorization);
    const caller = token ? await this.callers.resolve(token) : undefined;
    if (!caller) {
      throw new UnauthorizedError('Missing or invalid admin credentials: send Authorization: Bearer <ROOMKEY_ADMIN_TOKEN> or an admin key (rk_admin_…)', {
        challenge: 'Bearer realm="roomkey-admin"',
      });
    }
    const requirement = this.reflector.getAllAndOverride<AdminRequirement | undefined>(ADMIN_REQUIREMENT, [context.getHandler(), context.getClass()]);
    authorise(caller, requirement, (request.params as Record<string, string | undefined>)?.tenant);
    setAdminCaller(request, caller);
    setCurrentActor(caller.id);
    return true;
  }
}

/** Throws the contract's answer when `caller` may not make this call. */
export function authorise(caller: AdminCaller, requirement: AdminRequirement | undefined, tenant: string | undefined): void {
  if (caller.bootstrap) return;
  if (!requirement || requirement.scope === null) throw new ForbiddenError('Only the bootstrap admin token (ROOMKEY_ADMIN_TOKEN) may do this');
  if (caller.tenant !== null) {
    if (tenant !== undefined && tenant !== caller.tenant) throw new NotFoundError(`Tenant '${tenant}' not found`);
    if (requirement.allTenants) throw new ForbiddenError(`This admin key is limited to tenant '${caller.tenant}'`);
  }
  const enough = [requirement.scope, ...(requirement.orScopes ?? [])];
  if (!caller.scopes.includes('*') && !enough.some((scope) => caller.scopes.includes(scope))) {
    throw new ForbiddenError(`This admin key lacks the scope '${enough.join("' or '")}'`);
  }
}
