import { Controller, Get, Inject, Param, Query, UseGuards } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { GatewayConfig } from '@roomkey/config';
import { KeysRoutes, type Namespace, type TenantEventPage } from '@roomkey/contracts';
import { NAMESPACE, NATS_CONNECTION, RpcClient, InRequest, type RequestContext } from '@roomkey/nats';
import { GATEWAY_CONFIG } from '../infra.module';
import { AdminAuthGuard } from './admin-auth.guard';
import { RequireScope } from './admin-scope';
import { TenantEvents, type EventsQuery } from './tenant-events';

/** The audit trail of a tenant: its recent events (admin changes, failed authentications, 429s…), newest first. */
@Controller('admin/tenants/:tenant/events')
@UseGuards(AdminAuthGuard)
@RequireScope('events:read')
export class EventsController {
  private readonly events: TenantEvents;

  constructor(
    private readonly rpc: RpcClient,
    @Inject(NATS_CONNECTION) connection: NatsConnection,
    @Inject(NAMESPACE) namespace: Namespace,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.events = new TenantEvents(connection, namespace, config.natsRequestTimeoutMs);
  }

  @Get()
  async list(@InRequest() context: RequestContext, @Param('tenant') tenant: string, @Query() query: EventsQuery): Promise<TenantEventPage> {
    await this.rpc.request(KeysRoutes.getTenant, { tenant }, context); // 404 for a tenant that does not exist
    return this.events.list(tenant, query);
  }
}
