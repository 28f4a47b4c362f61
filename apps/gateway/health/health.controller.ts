import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { PingRoutes, type ServiceName } from '@roomkey/contracts';
import { InRequest, NATS_CONNECTION, RpcClient, type RequestContext } from '@roomkey/nats';
import type { FastifyReply } from 'fastify';

const READINESS_TIMEOUT_MS = 1000;

type Check = 'ok' | 'degraded' | 'down';

/** What each capability needs (contract §4 Operations): the answer names what is degraded. */
export function readiness(natsUp: boolean, up: Record<ServiceName, boolean>) {
  const checks: Record<'nats' | 'issuance' | 'admin' | 'identity', Check> = {
    nats: natsUp ? 'ok' : 'down',
    // Issuers serve every tenant, key and client they have seen from memory while keys is away.
    issuance: !natsUp || !up.issuer ? 'down' : up.keys ? 'ok' : 'degraded',
    admin: natsUp && up.keys ? 'ok' : 'down',
    identity: !natsUp || !up.identity || !up.issuer ? 'down' : up.keys ? 'ok' : 'degraded',
  };
  const notes: string[] = [];
  if (!natsUp) notes.push('NATS is not connected');
  else {
    if (!up.issuer) notes.push('no issuer answers: tokens cannot be issued');
    if (!up.keys) notes.push('the keys service does not answer: admin changes are refused, and tokens are issued only for tenants, keys and clients the issuers already hold');
    if (!up.identity) notes.push('the identity service does not answer: guests, anonymous tokens and invites are unavailable');
  }
  const status: Check = checks.issuance === 'down' ? 'down' : Object.values(checks).every((c) => c === 'ok') ? 'ok' : 'degraded';
  return { status, checks, message: notes.length ? notes.join('; ') : undefined };
}

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

  /** Ready when tokens can be issued (200, `degraded` when part of the system is away); 503 when not. */
  @Get('readyz')
  async ready(@InRequest() context: RequestContext, @Res() reply: FastifyReply) {
    const services = Object.keys(PingRoutes) as ServiceName[];
    const answers = await Promise.all(
      services.map((service) =>
        this.rpc.request(PingRoutes[service], {}, context, READINESS_TIMEOUT_MS).then(
          () => true,
          () => false,
        ),
      ),
    );
    const up = Object.fromEntries(services.map((service, i) => [service, answers[i]])) as Record<ServiceName, boolean>;
    const { status, checks, message } = readiness(!this.connection.isClosed(), up);
    const body = { status, checks, services: Object.fromEntries(services.map((s) => [s, up[s] ? 'up' : 'down'])), ...(message ? { message } : {}) };
    if (status === 'down') return reply.status(503).send({ error: 'unavailable', ...body, message: `Not ready: ${message}` });
    return reply.status(200).send(body);
  }
}
