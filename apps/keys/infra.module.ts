/** Binds the keys service's ports to their adapters: TypeORM for storage, JetStream for events. */
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { NatsConnection } from '@nats-io/transport-node';
import type { KeysConfig } from '@roomkey/config';
import { SecretBox, SecretHasher } from '@roomkey/crypto';
import { UnavailableError } from '@roomkey/errors';
import { EventPublisher, NATS_CONNECTION, ensureEventsStream, natsConnectionProviders, type EventFields } from '@roomkey/nats';
import type { EventType } from '@roomkey/contracts';
import { DataSource } from 'typeorm';
import { keysDataSourceOptions } from './persistence/data-source';
import { TypeOrmKeysStore } from './persistence/typeorm-keys.store';
import { CLOCK, EVENT_SINK, KEYS_CONFIG, KEYS_STORE, SECRET_BOX, SECRET_HASHER, type EventSink } from './ports';

const PUBLISH_ATTEMPTS = 3;

/** Publishes on JetStream, retrying briefly; a change that cannot be announced is reported, not hidden. */
class JetStreamEventSink implements EventSink {
  private readonly publisher: EventPublisher;

  constructor(connection: NatsConnection) {
    this.publisher = new EventPublisher(connection);
  }

  async publish(tenant: string, type: EventType, fields?: EventFields): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.publisher.publish(tenant, type, fields);
        return;
      } catch (error) {
        if (attempt >= PUBLISH_ATTEMPTS) {
          throw new UnavailableError(`The change is saved but its ${type} event could not be published on NATS; repeat the request to announce it`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
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
