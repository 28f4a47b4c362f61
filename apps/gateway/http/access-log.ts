/**
 * One access-log line per HTTP request, at info (route pattern, method, status, duration, tenant
 * when the route has one, request id), written when the answer has gone (fastify `onResponse`).
 * Admin routes add the audit trail: a change that succeeded (`admin.change`, with the actor) and a
 * refused admin credential (`auth.failed`, never the credential).
 */
import { errorLog } from '@roomkey/errors';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { httpRequestContext } from './request-id';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function logAccess(request: FastifyRequest, reply: FastifyReply): void {
  const route = request.routeOptions.url ?? 'unmatched';
  const status = reply.statusCode;
  const tenant = tenantOf(request);
  const context = httpRequestContext(request);
  errorLog.write('info', 'HTTP request', {
    requestId: request.id,
    method: request.method,
    route,
    status,
    durationMs: Math.round(reply.elapsedTime * 100) / 100,
    tenant,
  }, context);
  if (!route.startsWith('/admin')) return;
  if (status === 401) {
    errorLog.write('warn', 'Admin authentication failed: missing or invalid admin credential', {
      audit: 'auth.failed',
      requestId: request.id,
      actor: 'anonymous',
      address: request.ip,
      method: request.method,
      route,
      tenant,
    }, context);
  } else if (status < 400 && !READS.has(request.method)) {
    errorLog.write('info', `Admin change: ${request.method} ${route}`, {
      audit: 'admin.change',
      requestId: request.id,
      actor: context.actor ?? 'bootstrap',
      method: request.method,
      route,
      status,
      tenant,
    }, context);
  }
}

function tenantOf(request: FastifyRequest): string | undefined {
  const tenant = (request.params as Record<string, unknown> | undefined)?.tenant;
  return typeof tenant === 'string' ? tenant : undefined;
}

export function registerAccessLog(instance: { addHook(name: 'onResponse', hook: (request: FastifyRequest, reply: FastifyReply, done: () => void) => void): unknown }): void {
  instance.addHook('onResponse', (request, reply, done) => {
    logAccess(request, reply);
    done();
  });
}
