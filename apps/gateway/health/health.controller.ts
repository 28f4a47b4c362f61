import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { PingRoutes, type ServiceName } from '@roomkey/contracts';
import { NATS_CONNECTION, RpcClient } from '@roomkey/nats';
import type { FastifyReply } from 'fastify';

const READINESS_TIMEOUT_MS = 1000;

@Controller()
export class HealthController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(NATS_CONNECTION) private readonly connection: NatsConnection,
  ) {}

  /** Alive: the process answers. */
  @Get('healthz')
  health() {
    return { status: 'ok' };
  }

  /** Ready: NATS is connected and every service answers its ping. */
  @Get('readyz')
  async ready(@Res() reply: FastifyReply) {
    const services = Object.keys(PingRoutes) as ServiceName[];
    const answers = await Promise.all(
      services.map((service) =>
        this.rpc.request(PingRoutes[service], {}, READINESS_TIMEOUT_MS).then(
          () => 'up' as const,
          () => 'down' as const,
        ),
      ),
    );
    const status = Object.fromEntries(services.map((service, i) => [service, answers[i]]));
    const down = services.filter((_, i) => answers[i] === 'down');
    const natsUp = !this.connection.isClosed();
    if (natsUp && down.length === 0) return reply.status(200).send({ status: 'ready', nats: 'up', services: status });
    const reason = !natsUp ? 'NATS is not connected' : `no answer from the ${down.join(', ')} service${down.length > 1 ? 's' : ''}`;
    return reply.status(503).send({ error: 'unavailable', message: `Not ready: ${reason}`, nats: natsUp ? 'up' : 'down', services: status });
  }
}
