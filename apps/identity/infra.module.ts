/**
 * Binds the identity service's ports to their adapters: the issuer over NATS request-reply (it
 * authenticates API keys, mints and verifies; identity holds no signing key), invites in JetStream
 * KV, the shared KV rate limiter, and JetStream events.
 */
import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { IdentityConfig } from '@roomkey/config';
import { IssuerRoutes, type Namespace } from '@roomkey/contracts';
import {
  NAMESPACE,
  NATS_CONNECTION,
  RpcClient,
  SharedRateLimiter,
  JETSTREAM_STORAGE,
  type JetStreamStorage,
  jetStreamEventSink,
  natsConnectionProviders,
} from '@roomkey/nats';
import { RATE_LIMIT_WINDOW_SECONDS } from './access/key-access';
import { openInviteStore } from './invites/kv-invite-store';
import { CLOCK, EVENT_SINK, IDENTITY_CONFIG, INVITE_STORE, ISSUER_CLIENT, RATE_LIMITER, type IssuerClient } from './ports';


function natsIssuerClient(rpc: RpcClient): IssuerClient {
  return {
    authenticateApiKey: (request, context) => rpc.request(IssuerRoutes.authenticateApiKey, request, context),
    mint: (request, context) => rpc.request(IssuerRoutes.mintToken, request, context),
    verify: async (token, context) => (await rpc.request(IssuerRoutes.verifyAccessToken, { token }, context)).claims,
  };
}


@Injectable()
class RateLimiterCloser implements OnApplicationShutdown {
  constructor(@Inject(RATE_LIMITER) private readonly limiter: SharedRateLimiter) {}

  onApplicationShutdown(): void {
    this.limiter.close();
  }
}

@Global()
@Module({})
export class IdentityInfraModule {
  static forRoot(config: IdentityConfig): DynamicModule {
    return {
      module: IdentityInfraModule,
      providers: [
        { provide: IDENTITY_CONFIG, useValue: config },
        { provide: CLOCK, useValue: { now: () => Date.now() } },
        ...natsConnectionProviders(config, 'roomkey-identity-client', { eventsStream: true }),
        {
          provide: ISSUER_CLIENT,
          useFactory: (connection: NatsConnection, ns: Namespace) => natsIssuerClient(new RpcClient(connection, config.natsRequestTimeoutMs, ns)),
          inject: [NATS_CONNECTION, NAMESPACE],
        },
        { provide: INVITE_STORE, useFactory: (storage: JetStreamStorage) => openInviteStore(storage), inject: [JETSTREAM_STORAGE] },
        {
          provide: RATE_LIMITER,
          // One bucket for identity's key-only request counters, shared by every identity replica.
          useFactory: (connection: NatsConnection, storage: JetStreamStorage) =>
            SharedRateLimiter.open(connection, storage, {
              bucket: 'identityRateLimits',
              noticeSubject: storage.namespace.rateLimitBlocked('identity'),
              maxWindowSeconds: RATE_LIMIT_WINDOW_SECONDS,
            }),
          inject: [NATS_CONNECTION, JETSTREAM_STORAGE],
        },
        RateLimiterCloser,
        {
          provide: EVENT_SINK,
          useFactory: (connection: NatsConnection, ns: Namespace) =>
            jetStreamEventSink(connection, ns, (type, error) => `The ${type} event could not be published on NATS: ${error.message}`),
          inject: [NATS_CONNECTION, NAMESPACE],
        },
      ],
      exports: [IDENTITY_CONFIG, CLOCK, NATS_CONNECTION, NAMESPACE, ISSUER_CLIENT, INVITE_STORE, RATE_LIMITER, EVENT_SINK],
    };
  }
}
