/**
 * With tracing on (OTEL_EXPORTER_OTLP_ENDPOINT): one server span per HTTP request, named by its
 * method and route pattern (`POST /v1/access-tokens`; no ids, no query), child of the caller's W3C
 * `traceparent` when it sends one, put in the request's context so that the NATS requests its
 * handler makes are its children. Not registered at all with tracing off.
 */
import type { TraceSpan, Tracing } from '@roomkey/nats';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { extendHttpRequestContext } from './request-id';

export function registerTracing(instance: FastifyInstance, tracing: Tracing): void {
  const spans = new WeakMap<FastifyRequest, TraceSpan>();
  instance.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url;
    const traceparent = request.headers.traceparent;
    const tracestate = request.headers.tracestate;
    const span = tracing.startSpan(
      route === undefined ? request.method : `${request.method} ${route}`,
      'server',
      typeof traceparent === 'string' ? { traceparent, tracestate: typeof tracestate === 'string' ? tracestate : undefined } : undefined,
      { 'http.request.method': request.method, 'url.scheme': request.protocol, 'roomkey.request_id': request.id, ...(route === undefined ? {} : { 'http.route': route }) },
    );
    spans.set(request, span);
    extendHttpRequestContext(request, { span });
    done();
  });
  const end = (request: FastifyRequest, status?: number): void => {
    const span = spans.get(request);
    if (span === undefined) return;
    spans.delete(request);
    if (status !== undefined) {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.fail(String(status));
    } else span.fail('aborted');
    span.end();
  };
  instance.addHook('onResponse', (request, reply, done) => {
    end(request, reply.statusCode);
    done();
  });
  instance.addHook('onRequestAbort', (request, done) => {
    end(request);
    done();
  });
}
