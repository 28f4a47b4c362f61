/**
 * Request ids (contract §4): the caller's `X-Request-Id` when it is 1–128 visible ASCII
 * characters, else a new one. Fastify holds it as `request.id`; every answer carries it, and the
 * request's context (libs/nats `RequestContext`: the id, the admin actor once authorised, the span
 * with tracing on) is attached to the Fastify request, where handlers take it (`@InRequest()`) and
 * pass it to every NATS request they make, which sends it onward.
 */
import { attachRequestContext, isAcceptableRequestId, requestContextOf, type RequestContext } from '@roomkey/nats';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';

export const REQUEST_ID_RESPONSE_HEADER = 'x-request-id';
const SERVICE = 'gateway';

/** Fastify's `genReqId`: also used by the router's own errors (malformed URL), before any hook. */
export function requestIdOf(request: IncomingMessage): string {
  const sent = request.headers[REQUEST_ID_RESPONSE_HEADER];
  return isAcceptableRequestId(sent) ? sent : randomUUID();
}

export function registerRequestIds(instance: FastifyInstance): void {
  instance.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_RESPONSE_HEADER, request.id);
    attachRequestContext(request, { requestId: request.id, service: SERVICE });
    done();
  });
}

/**
 * The context of an HTTP request (its admin actor, once authorised). A request the hook never saw
 * (the router's own errors) gets one made from its id.
 */
export function httpRequestContext(request: FastifyRequest): RequestContext {
  const context = requestContextOf(request);
  return context.requestId === undefined ? { requestId: request.id, service: SERVICE } : context;
}

/** Adds to the request's context what was learnt about it (the admin actor, the span). */
export function extendHttpRequestContext(request: FastifyRequest, addition: Pick<RequestContext, 'actor' | 'span'>): void {
  attachRequestContext(request, { ...httpRequestContext(request), ...addition });
}
