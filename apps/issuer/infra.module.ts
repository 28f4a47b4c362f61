/**
 * Binds the issuer's ports: the keys service over NATS as its key directory, the revocation list
 * and rate-limit counters in JetStream KV, JetStream events, the system clock.
 */
import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { IssuerConfig } from '@roomkey/config';
import { KeysRoutes, type Namespace } from '@roomkey/contracts';
import { SecretBox, SecretHasher } from '@roomkey/crypto';
import {
  JETSTREAM_STORAGE,
  KvVersionedStore,
  NAMESPACE,
  NATS_CONNECTION,
  NO_REQUEST,
  RpcClient,
  SharedRateLimiter,
  jetStreamEventSink,
  natsConnectionProviders,
  type JetStreamStorage,
} from '@roomkey/nats';
import {
  AUTHORIZATION_CODES,
  CLOCK,
  EVENT_PUBLISHER,
  ISSUER_CONFIG,
  KEY_DIRECTORY,
  LOGIN_REQUESTS,
  RATE_LIMITER,
  REFRESH_TOKENS,
  REVOCATION_STORE,
  REVOCATION_CUTOFFS,
  SECRET_BOX,
  SECRET_HASHER,
  TOKEN_FAMILIES,
  type KeyDirectory,
} from './ports';

import { KvRevocationList } from './revocation/kv-revocation-list';
import { KvRevocationCutoffs } from './revocation/revocation-cutoffs';

const LOGIN_KV = Symbol('LoginRequestsKv');
const REFRESH_KV = Symbol('RefreshTokensKv');

function natsKeyDirectory(rpc: RpcClient): KeyDirectory {
  return {
    resolveCredential: async (apiKey, context) => (await rpc.request(KeysRoutes.resolveCredential, { apiKey }, context)).credential,
    resolveClient: async (clientId, context) => (await rpc.request(KeysRoutes.resolveClient, { clientId }, context)).client,
    signingMaterial: (tenant, context) => rpc.request(KeysRoutes.getSigningMaterial, { tenant }, context),
    reportApiKeyUses: async (uses) => void (await rpc.request(KeysRoutes.apiKeyUsed, { uses: [...uses] }, NO_REQUEST)),
  };
}

@Global()
@Module({})
export class IssuerInfraModule {
  static forRoot(config: IssuerConfig): DynamicModule {
    return {
      module: IssuerInfraModule,
      providers: [
        { provide: ISSUER_CONFIG, useValue: config },
        { provide: CLOCK, useValue: { now: () => Date.now() } },
        { provide: SECRET_BOX, useValue: new SecretBox(config.masterKey) },
        { provide: SECRET_HASHER, useValue: new SecretHasher(config.masterKey) },
        ...natsConnectionProviders(config, 'roomkey-issuer', { eventsStream: true }),
        {
          provide: KEY_DIRECTORY,
          useFactory: (connection: NatsConnection, ns: Namespace) => natsKeyDirectory(new RpcClient(connection, config.natsRequestTimeoutMs, ns)),
          inject: [NATS_CONNECTION, NAMESPACE],
        },
        {
          provide: EVENT_PUBLISHER,
          useFactory: (connection: NatsConnection, ns: Namespace) =>
            jetStreamEventSink(connection, ns, (type, error) => `The token is revoked but its ${type} event could not be published on NATS: ${error.message}`),
          inject: [NATS_CONNECTION, NAMESPACE],
        },
        {
          provide: RATE_LIMITER,
          useFactory: (connection: NatsConnection, storage: JetStreamStorage) =>
            SharedRateLimiter.open(connection, storage, {
              bucket: 'authFailures',
              noticeSubject: storage.namespace.rateLimitBlocked(storage.namespace.bucket('authFailures')),
              maxWindowSeconds: config.authFailureWindowSeconds,
            }),
          inject: [NATS_CONNECTION, JETSTREAM_STORAGE],
        },
        KvRevocationList,
        { provide: REVOCATION_STORE, useExisting: KvRevocationList },
        KvRevocationCutoffs,
        { provide: REVOCATION_CUTOFFS, useExisting: KvRevocationCutoffs },
        // Login requests and their codes expire with the request; refresh tokens with their lifetime.
        {
          provide: LOGIN_KV,
          useFactory: (storage: JetStreamStorage) => storage.openBucket('loginRequests', config.loginRequestTtlSeconds * 1000),
          inject: [JETSTREAM_STORAGE],
        },
        {
          provide: REFRESH_KV,
          useFactory: (storage: JetStreamStorage) => storage.openBucket('refreshTokens', config.refreshTokenTtlSeconds * 1000),
          inject: [JETSTREAM_STORAGE],
        },
        { provide: LOGIN_REQUESTS, useFactory: (kv: KV) => new KvVersionedStore(kv, 'request'), inject: [LOGIN_KV] },
        { provide: AUTHORIZATION_CODES, useFactory: (kv: KV) => new KvVersionedStore(kv, 'code'), inject: [LOGIN_KV] },
        { provide: REFRESH_TOKENS, useFactory: (kv: KV) => new KvVersionedStore(kv, 'token'), inject: [REFRESH_KV] },
        { provide: TOKEN_FAMILIES, useFactory: (kv: KV) => new KvVersionedStore(kv, 'family'), inject: [REFRESH_KV] },
      ],
      exports: [
        ISSUER_CONFIG,
        CLOCK,
        SECRET_BOX,
        SECRET_HASHER,
        NATS_CONNECTION,
        NAMESPACE,
        JETSTREAM_STORAGE,
        KEY_DIRECTORY,
        EVENT_PUBLISHER,
        RATE_LIMITER,
        REVOCATION_STORE,
        REVOCATION_CUTOFFS,
        LOGIN_REQUESTS,
        AUTHORIZATION_CODES,
        REFRESH_TOKENS,
        TOKEN_FAMILIES,
      ],
    };
  }
}
