import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { GatewayConfig } from '@roomkey/config';
import { safeEqual } from '@roomkey/crypto';
import { UnauthorizedError } from '@roomkey/errors';
import type { FastifyRequest } from 'fastify';
import { bearerToken } from '../http/credentials';
import { GATEWAY_CONFIG } from '../infra.module';

/** Admin endpoints need `Authorization: Bearer <ROOMKEY_ADMIN_TOKEN>` (compared in constant time). */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerToken(request.headers.authorization);
    if (!token || !safeEqual(token, this.config.adminToken)) {
      throw new UnauthorizedError('Missing or invalid admin token: send Authorization: Bearer <ROOMKEY_ADMIN_TOKEN>', {
        challenge: 'Bearer realm="roomkey-admin"',
      });
    }
    return true;
  }
}
