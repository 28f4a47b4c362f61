import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Namespace } from '@roomkey/contracts';
import { NAMESPACE, NATS_CONNECTION, ServiceMetrics, collectMetrics } from '@roomkey/nats';

/**
 * Every service's figures in one exposition: this gateway's own, and those of every replica that
 * answers the collect subject within a short wait (see `collectMetrics`).
 */
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: ServiceMetrics,
    @Inject(NATS_CONNECTION) private readonly connection: NatsConnection,
    @Inject(NAMESPACE) private readonly namespace: Namespace,
  ) {}

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  render(): Promise<string> {
    return collectMetrics(this.connection, this.namespace, this.metrics);
  }
}
