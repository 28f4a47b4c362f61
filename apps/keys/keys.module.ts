import { Module, type DynamicModule } from '@nestjs/common';
import type { KeysConfig } from '@roomkey/config';
import { MetricsModule, pingHandler } from '@roomkey/nats';
import { DataSource } from 'typeorm';
import { AdminKeyHandlers } from './admin-keys/admin-key.handlers';
import { AdminKeyService } from './admin-keys/admin-key.service';
import { ADMIN_KEY_STORE, TypeOrmAdminKeyStore } from './admin-keys/admin-key.store';
import { ApiKeyHandlers } from './api-keys/api-key.handlers';
import { ApiKeyService } from './api-keys/api-key.service';
import { ClientHandlers } from './clients/client.handlers';
import { ClientService } from './clients/client.service';
import { NamespaceOwnership } from './deployment/namespace-ownership';
import { KeysInfraModule } from './infra.module';
import { KeysMetrics } from './keys-metrics';
import { RotationScheduler } from './signing-keys/rotation.scheduler';
import { SigningKeyFactory } from './signing-keys/signing-key.factory';
import { SigningKeyHandlers } from './signing-keys/signing-key.handlers';
import { SigningKeyService } from './signing-keys/signing-key.service';
import { TenantHandlers } from './tenants/tenant.handlers';
import { TenantService } from './tenants/tenant.service';
import { WebhookDeliveries } from './webhooks/webhook-deliveries';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher';
import { WebhookHandlers } from './webhooks/webhook.handlers';
import { WebhookService } from './webhooks/webhook.service';
import { TypeOrmWebhookStore, WEBHOOK_STORE } from './webhooks/webhook.store';

/** The keys service: tenants, API keys, OAuth clients, signing keys (rotation, JWKS), webhooks (and their delivery). It alone owns these tables. */
@Module({})
export class KeysModule {
  static forRoot(config: KeysConfig): DynamicModule {
    return {
      module: KeysModule,
      imports: [KeysInfraModule.forRoot(config), MetricsModule.forService('keys')],
      controllers: [TenantHandlers, ApiKeyHandlers, SigningKeyHandlers, ClientHandlers, AdminKeyHandlers, WebhookHandlers, pingHandler('keys')],
      providers: [NamespaceOwnership, TenantService, ApiKeyService, ClientService, SigningKeyFactory, SigningKeyService, KeysMetrics, RotationScheduler,
        AdminKeyService,
        { provide: ADMIN_KEY_STORE, useFactory: (dataSource: DataSource) => new TypeOrmAdminKeyStore(dataSource), inject: [DataSource] },
        WebhookService,
        WebhookDispatcher,
        WebhookDeliveries,
        { provide: WEBHOOK_STORE, useFactory: (dataSource: DataSource) => new TypeOrmWebhookStore(dataSource), inject: [DataSource] },
      ],
    };
  }
}
