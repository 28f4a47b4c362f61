/** Binds the keys service's ports to their adapters: TypeORM for storage, JetStream for events. */
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { NatsConnection } from '@nats-io/transport-node';
import type { KeysConfig } from '@roomkey/config';
import { SecretBox, SecretHasher } from '@roomkey/crypto';
import { UnavailableError } from '@roomkey/errors';
import { NATS_CONNECTION, RetryingEventPublisher, ensureEventsStream, natsConnectionProviders, type EventFields } from '@roomkey/nats';
import type { EventType } from '@roomkey/contracts';
import { DataSource } from 'typeorm';
import { keysDataSourceOptions } from './persistence/data-source';
import { TypeOrmKeysStore } from './persistence/typeorm-keys.store';
import { CLOCK, EVENT_SINK, KEYS_CONFIG, KEYS_STORE, SECRET_BOX, SECRET_HASHER, type EventSink } from './ports';

/** A change that cannot be announced is reported (503), not hidden: repeating the request announces it. */
class JetStreamEventSink implements EventSink {
  private readonly publisher: RetryingEventPublisher;

  constructor(connection: NatsConnection) {
    this.publisher = new RetryingEventPublisher(connection);
  }

  async publish(tenant: string, type: EventType, fields?: EventFields): Promise<void> {
    try {
      await this.publisher.publish(tenant, type, fields);
    } catch {
      throw new UnavailableError(`The change is saved but its ${type} event could not be published on NATS; repeat the request to announce it`);
    }
  }
}

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
        ...natsConnectionProviders(config.natsUrl, 'roomkey-keys-events', ensureEventsStream),
        { provide: EVENT_SINK, useFactory: (connection: NatsConnection) => new JetStreamEventSink(connection), inject: [NATS_CONNECTION] },
      ],
      exports: [KEYS_CONFIG, KEYS_STORE, CLOCK, SECRET_BOX, SECRET_HASHER, EVENT_SINK],
    };
  }
}
