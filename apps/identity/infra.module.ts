/**
 * Binds the identity service's ports to their adapters: the issuer over NATS request-reply (it
 * authenticates API keys, mints and verifies; identity holds no signing key), invites in JetStream
 * KV, the shared KV rate limiter, and JetStream events.
 */
import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { IdentityConfig } from '@roomkey/config';
import { IssuerRoutes, Notices } from '@roomkey/contracts';
import {
  NATS_CONNECTION,
  RpcClient,
  SharedRateLimiter,
  ensureEventsStream,
  jetStreamEventSink,
  natsConnectionProviders,
} from '@roomkey/nats';
import { RATE_LIMIT_WINDOW_SECONDS } from './access/key-access';
import { openInviteStore } from './invites/kv-invite-store';
import { CLOCK, EVENT_SINK, IDENTITY_CONFIG, INVITE_STORE, ISSUER_CLIENT, RATE_LIMITER, type IssuerClient } from './ports';

/** One KV bucket for identity's key-only request counters, shared by every identity replica. */
export const RATE_LIMIT_BUCKET = 'ROOMKEY_IDENTITY_RATE_LIMITS';
const RATE_LIMIT_NOTICES = Notices.rateLimitBlocked('identity');

function natsIssuerClient(rpc: RpcClient): IssuerClient {
  return {
    authenticateApiKey: (request) => rpc.request(IssuerRoutes.authenticateApiKey, request),
    mint: (request) => rpc.request(IssuerRoutes.mintToken, request),
    verify: async (token) => (await rpc.request(IssuerRoutes.verifyAccessToken, { token })).claims,
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
        ...natsConnectionProviders(config.natsUrl, 'roomkey-identity-client', ensureEventsStream),
        {
          provide: ISSUER_CLIENT,
          useFactory: (connection: NatsConnection) => natsIssuerClient(new RpcClient(connection, config.natsRequestTimeoutMs)),
          inject: [NATS_CONNECTION],
        },
        { provide: INVITE_STORE, useFactory: (connection: NatsConnection) => openInviteStore(connection), inject: [NATS_CONNECTION] },
        {
          provide: RATE_LIMITER,
          useFactory: (connection: NatsConnection) =>
            SharedRateLimiter.open(connection, { bucket: RATE_LIMIT_BUCKET, noticeSubject: RATE_LIMIT_NOTICES, maxWindowSeconds: RATE_LIMIT_WINDOW_SECONDS }),
          inject: [NATS_CONNECTION],
        },
        RateLimiterCloser,
        { provide: EVENT_SINK, useFactory: (connection: NatsConnection) => jetStreamEventSink(connection, (type, error) => `The ${type} event could not be published on NATS: ${error.message}`), inject: [NATS_CONNECTION] },
      ],
      exports: [IDENTITY_CONFIG, CLOCK, NATS_CONNECTION, ISSUER_CLIENT, INVITE_STORE, RATE_LIMITER, EVENT_SINK],
    };
  }
}
