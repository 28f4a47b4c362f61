import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { GatewayConfig } from '@roomkey/config';
import { structuredLogs } from '@roomkey/nats';
import { GatewayModule } from './gateway.module';
import { HttpErrorFilter } from './http/http-error.filter';
import { registerJsonBodyParser } from './http/body-parsers';
import { registerContentTypeCheck } from './http/content-types';
import { MAX_BODY_BYTES, answerClientError, answerRouterError } from './http/http-errors';
import { HttpMetrics } from './metrics/http-metrics';
import { registerRequestIds, requestIdOf } from './http/request-id';
import { MAX_PARAM_LENGTH, registerPathParameterLimits } from './http/path-parameters';
import { registerTracing } from './http/tracing';
import { startTracing } from '@roomkey/nats';
import { registerAccessLog } from './http/access-log';

/** Builds the gateway (not yet listening); `app.listen(port, host)` starts it. */
export async function createGatewayApp(config: GatewayConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: MAX_BODY_BYTES,
    // A user id in a path (POST /v1/users/{userId}/revoke) is up to 255 code points, percent-encoded.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    trustProxy: config.trustProxy,
    genReqId: requestIdOf,
    frameworkErrors: answerRouterError,
    clientErrorHandler: answerClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot(config), adapter, {
    logger: structuredLogs('gateway', config),
    abortOnError: false,
  });
  app.useGlobalFilters(new HttpErrorFilter());
  registerJsonBodyParser(app);
  registerRequestIds(app.getHttpAdapter().getInstance());
  registerPathParameterLimits(app.getHttpAdapter().getInstance());
  // OTEL_EXPORTER_OTLP_ENDPOINT unset: no hook at all (shutdownTracing() flushes on stop).
  const tracing = startTracing({ endpoint: config.otlpEndpoint, service: 'gateway', namespace: config.namespace });
  if (tracing !== undefined) registerTracing(app.getHttpAdapter().getInstance(), tracing);
  registerContentTypeCheck(app.getHttpAdapter().getInstance());
  registerAccessLog(app.getHttpAdapter().getInstance());
  const metrics = app.get(HttpMetrics);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (request, reply, done) => {
      metrics.record(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  await app.init();
  return app;
}

export async function startGateway(config: GatewayConfig): Promise<NestFastifyApplication> {
  const app = await createGatewayApp(config);
  await app.listen(config.port, config.host);
  return app;
}
