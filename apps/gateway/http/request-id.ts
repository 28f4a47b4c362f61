/**
 * Request ids (contract §4): the caller's `X-Request-Id` when it is 1–128 visible ASCII
 * characters, else a new one. Fastify holds it as `request.id`; every answer carries it, and each
 * handler runs in a request context so that its NATS requests send it onward.
 */
import { isAcceptableRequestId, runInRequestContext, type RequestContext } from '@roomkey/nats';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';

export const REQUEST_ID_RESPONSE_HEADER = 'x-request-id';

/** Fastify's `genReqId`: also used by the router's own errors (malformed URL), before any hook. */
export function requestIdOf(request: IncomingMessage): string {
  const sent = request.headers[REQUEST_ID_RESPONSE_HEADER];
  return isAcceptableRequestId(sent) ? sent : randomUUID();
}

export function registerRequestIds(instance: FastifyInstance): void {
  instance.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_RESPONSE_HEADER, request.id);
    done();
  });
  // After the body is read: the body parser's stream events would not carry the context through.
  instance.addHook('preHandler', (request, _reply, done) => {
    const context: RequestContext = { requestId: request.id, service: 'gateway' };
    (request as unknown as Record<symbol, RequestContext>)[CONTEXT] = context;
    runInRequestContext(context, done);
  });
}

const CONTEXT = Symbol('requestContext');

/** The request context a handled request ran in (its admin actor, once authorised); for the access log. */
export function requestContextOf(request: FastifyRequest): RequestContext | undefined {
  return (request as unknown as Record<symbol, RequestContext | undefined>)[CONTEXT];
}
