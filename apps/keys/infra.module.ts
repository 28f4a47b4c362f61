/** Binds the keys service's ports to their adapters: TypeORM for storage, JetStream for events. */
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { NatsConnection } from '@nats-io/transport-node';
import type { KeysConfig } from '@roomkey/config';
import { SecretBox, SecretHasher } from '@roomkey/crypto';
import type { Namespace } from '@roomkey/contracts';
import { JETSTREAM_STORAGE, NAMESPACE, NATS_CONNECTION, jetStreamEventSink, natsConnectionProviders } from '@roomkey/nats';
import { DataSource } from 'typeorm';
import { keysDataSourceOptions } from './persistence/data-source';
import { TypeOrmKeysStore } from './persistence/typeorm-keys.store';
import { CLOCK, EVENT_SINK, KEYS_CONFIG, KEYS_STORE, SECRET_BOX, SECRET_HASHER } from './ports';

@Global()
@Module({})
export class KeysInfraModule {
  static forRoot(config: KeysConfig): DynamicModule {
    return {
      module: KeysInfraModule,
      imports: [TypeOrmModule.forRoot(keysDataSourceOptions(config))],
      providers: [
        { provide: KEYS_CONFIG, useValue: config },
        { provide: KEYS_STORE, useFactory: (dataSource: DataSource) => new TypeOrmKeysStore(dataSource), inject: [DataSource] },
        { provide: CLOCK, useValue: { now: () => Date.now() } },
        { provide: SECRET_BOX, useValue: new SecretBox(config.masterKey) },
        { provide: SECRET_HASHER, useValue: new SecretHasher(config.masterKey) },
        ...natsConnectionProviders(config, 'roomkey-keys-events', { eventsStream: true }),
        // A change that cannot be announced is reported (503), not hidden: repeating the request announces it.
        {
          provide: EVENT_SINK,
          useFactory: (connection: NatsConnection, ns: Namespace) =>
            jetStreamEventSink(connection, ns, (type) => `The change is saved but its ${type} event could not be published on NATS; repeat the request to announce it`),
          inject: [NATS_CONNECTION, NAMESPACE],
        },
      ],
      exports: [KEYS_CONFIG, KEYS_STORE, CLOCK, SECRET_BOX, SECRET_HASHER, EVENT_SINK, NATS_CONNECTION, NAMESPACE, JETSTREAM_STORAGE],
    };
  }
}
