/** NestJS wiring shared by the services: the NATS connection provider, ping handler and start-up. */
import { Controller, Inject, Injectable, type DynamicModule, type INestMicroservice, type OnApplicationShutdown, type Provider, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern } from '@nestjs/microservices';
import type { NatsConnection } from '@nats-io/transport-node';
import type { LogFormat, LogLevel } from '@roomkey/config';
import { configureLogger, PinoNestLogger } from '@roomkey/errors';
import { PingRoutes, type Namespace, type PingResult, type ServiceName } from '@roomkey/contracts';
import { randomUUID } from 'node:crypto';
import { connectToNats, namespaceOf, type NatsSettings } from './connection';
import { startTracing } from './tracing';
import { JetStreamStorage } from './jetstream-storage';
import { natsServerOptions, WireErrorFilter } from './plain-json.transport';

export const NATS_CONNECTION = Symbol('NatsConnection');
/** The deployment's `Namespace` (subjects, queue groups, buckets, streams). */
export const NAMESPACE = Symbol('Namespace');
/** The deployment's `JetStreamStorage`: its KV buckets and events stream, with its replica count. */
export const JETSTREAM_STORAGE = Symbol('JetStreamStorage');

@Injectable()
class NatsConnectionCloser implements OnApplicationShutdown {
  constructor(@Inject(NATS_CONNECTION) private readonly connection: NatsConnection) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.connection.isClosed()) await this.connection.drain().catch(() => this.connection.close());
  }
}

/** A NATS connection for requests, events and JetStream, drained when the application shuts down. */
export function natsConnectionProviders(
  settings: NatsSettings,
  name: string,
  options: { eventsStream?: boolean } = {},
): Provider[] {
  return [
    { provide: NAMESPACE, useValue: namespaceOf(settings) },
    {
      provide: NATS_CONNECTION,
      useFactory: () => connectToNats(settings, name),
    },
    {
      provide: JETSTREAM_STORAGE,
      useFactory: async (connection: NatsConnection) => {
        const storage = new JetStreamStorage(connection, namespaceOf(settings), settings.jetStreamReplicas ?? 1);
        if (options.eventsStream) await storage.ensureEventsStream();
        return storage;
      },
      inject: [NATS_CONNECTION],
    },
    NatsConnectionCloser,
  ];
}

/** A controller answering the service's ping subject (used by the gateway's /readyz). */
export function pingHandler(service: ServiceName): Type {
  @Controller()
  class PingHandler {
    private readonly instance = randomUUID();

    @MessagePattern(PingRoutes[service].subject)
    ping(): PingResult {
      return { service, instance: this.instance };
    }
  }
  return PingHandler;
}

/**
 * Points the process's logs at pino with the service's level and format (contract §6) and answers
 * the LoggerService NestJS writes through (`logger:` of NestFactory).
 */
export function structuredLogs(service: string, options: { logLevel: LogLevel; logFormat?: LogFormat }): PinoNestLogger {
  configureLogger({ service, level: options.logLevel, ...(options.logFormat ? { format: options.logFormat } : {}) });
  return new PinoNestLogger();
}

/** Starts a NestJS microservice on NATS with the plain-JSON transport and the one error mapping. */
export async function startMicroservice(
  module: Type | DynamicModule,
  options: { nats: NatsSettings; service: ServiceName; logLevel: LogLevel; logFormat?: LogFormat },
): Promise<INestMicroservice> {
  // OTEL_EXPORTER_OTLP_ENDPOINT (the services pass their whole config as `nats`); unset: no tracing.
  const otlpEndpoint = (options.nats as { otlpEndpoint?: string }).otlpEndpoint;
  const tracing = startTracing({ endpoint: otlpEndpoint, service: options.service, namespace: options.nats.namespace });
  const app = await NestFactory.createMicroservice(module, {
    ...natsServerOptions(options.nats, options.service, tracing),
    logger: structuredLogs(options.service, options),
    // A provider failing at start (NATS refused, namespace taken) rejects here, so runService can
    // print its one sentence and exit with the configuration-error code, instead of Nest exiting.
    abortOnError: false,
  });
  app.useGlobalFilters(new WireErrorFilter());
  await app.listen();
  return app;
}
