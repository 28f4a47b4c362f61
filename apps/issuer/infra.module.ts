/** Binds the issuer's ports: the keys service over NATS as its key directory, the system clock. */
import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { IssuerConfig } from '@roomkey/config';
import { KeysRoutes } from '@roomkey/contracts';
import { SecretBox, SecretHasher } from '@roomkey/crypto';
import { NATS_CONNECTION, RpcClient, natsConnectionProviders } from '@roomkey/nats';
import { CLOCK, ISSUER_CONFIG, KEY_DIRECTORY, SECRET_BOX, SECRET_HASHER, type KeyDirectory } from './ports';

function natsKeyDirectory(rpc: RpcClient): KeyDirectory {
  return {
    resolveCredential: async (apiKey) => (await rpc.request(KeysRoutes.resolveCredential, { apiKey })).credential,
    signingMaterial: (tenant) => rpc.request(KeysRoutes.getSigningMaterial, { tenant }),
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
        ...natsConnectionProviders(config.natsUrl, 'roomkey-issuer'),
        {
          provide: KEY_DIRECTORY,
          useFactory: (connection: NatsConnection) => natsKeyDirectory(new RpcClient(connection, config.natsRequestTimeoutMs)),
          inject: [NATS_CONNECTION],
        },
      ],
      exports: [ISSUER_CONFIG, CLOCK, SECRET_BOX, SECRET_HASHER, NATS_CONNECTION, KEY_DIRECTORY],
    };
  }
}
