/** Binds the gateway's outbound port: an RPC client over NATS with a timeout on every request. */
import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { GatewayConfig } from '@roomkey/config';
import type { Namespace } from '@roomkey/contracts';
import { JETSTREAM_STORAGE, NAMESPACE, NATS_CONNECTION, RpcClient, natsConnectionProviders } from '@roomkey/nats';

export const GATEWAY_CONFIG = Symbol('GatewayConfig');

@Global()
@Module({})
export class GatewayInfraModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayInfraModule,
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        ...natsConnectionProviders(config, 'roomkey-gateway'),
        {
          provide: RpcClient,
          useFactory: (connection: NatsConnection, ns: Namespace) => new RpcClient(connection, config.natsRequestTimeoutMs, ns),
          inject: [NATS_CONNECTION, NAMESPACE],
        },
      ],
      exports: [GATEWAY_CONFIG, NATS_CONNECTION, NAMESPACE, JETSTREAM_STORAGE, RpcClient],
    };
  }
}
