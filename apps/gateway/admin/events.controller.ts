import { Controller, Get, Inject, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { GatewayConfig } from '@roomkey/config';
import { KeysRoutes, type Namespace } from '@roomkey/contracts';
import { NAMESPACE, NATS_CONNECTION, RpcClient } from '@roomkey/nats';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventStreams, acceptsEventStream } from '../events/event-streams';
import { GATEWAY_CONFIG } from '../infra.module';
import { bearerToken } from '../http/credentials';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminCallers } from './admin-callers';
import { RequireScope, adminCallerOf } from './admin-scope';
import { TenantEvents, type EventsQuery } from './tenant-events';

/**
 * The audit trail of a tenant: its recent events (admin changes, failed authentications, 429s…),
 * newest first as JSON pages, or, with `Accept: text/event-stream`, every new event live as
 * Server-Sent Events (`Last-Event-ID` resumes).
 */
@Controller('admin/tenants/:tenant/events')
@UseGuards(AdminAuthGuard)
@RequireScope('events:read')
export class EventsController {
  private readonly events: TenantEvents;

  constructor(
    private readonly rpc: RpcClient,
    private readonly streams: EventStreams,
    private readonly callers: AdminCallers,
    @Inject(NATS_CONNECTION) connection: NatsConnection,
    @Inject(NAMESPACE) namespace: Namespace,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.events = new TenantEvents(connection, namespace, config.natsRequestTimeoutMs);
  }

  @Get()
  async list(@Param('tenant') tenant: string, @Query() query: EventsQuery, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.rpc.request(KeysRoutes.getTenant, { tenant }); // 404 for a tenant that does not exist
    if (acceptsEventStream(request)) {
      const caller = adminCallerOf(request);
      await this.streams.serve({
        request,
        reply,
        tenant,
        owner: `admin:${caller?.id ?? 'unknown'}`,
        // A revoked admin key's feed ends at the next heartbeat (AdminCallers drops it within a second).
        stillAuthorised: async () => (await this.callers.resolve(bearerToken(request.headers.authorization) ?? '')) !== undefined,
      });
      return;
    }
    await reply.send(await this.events.list(tenant, query));
  }
}
