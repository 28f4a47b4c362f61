import { Module, type DynamicModule } from '@nestjs/common';
import type { GatewayConfig } from '@roomkey/config';
import { MetricsModule } from '@roomkey/nats';
import { AccessTokensController } from './access-tokens/access-tokens.controller';
import { AdminCallers } from './admin/admin-callers';
import { AdminKeysController } from './admin/admin-keys.controller';
import { ApiKeysController } from './admin/api-keys.controller';
import { TokenRevocationController } from './admin/token-revocation.controller';
import { ClientsController } from './admin/clients.controller';
import { EventsController } from './admin/events.controller';
import { EventStreams } from './events/event-streams';
import { RevocationsController } from './events/revocations.controller';
import { SigningKeysController } from './admin/signing-keys.controller';
import { MediaPlatformsController } from './admin/media-platforms.controller';
import { TenantsController } from './admin/tenants.controller';
import { WebhooksController } from './admin/webhooks.controller';
import { HealthController } from './health/health.controller';
import { IdentityController } from './identity/identity.controller';
import { ConsoleAssets } from './console/console-assets';
import { ConsoleController } from './console/console.controller';
import { DocsController } from './docs/docs.controller';
import { GatewayInfraModule } from './infra.module';
import { HttpMetrics } from './metrics/http-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { LoginRequestsController } from './login-requests/login-requests.controller';
import { AuthorizationController } from './oauth/authorization.controller';
import { OAuthController } from './oauth/oauth.controller';
import { DiscoveryController } from './oidc/discovery.controller';

/** The HTTP gateway: authenticates and routes; the services behind NATS do the work. */
@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [GatewayInfraModule.forRoot(config), MetricsModule.forService('gateway')],
      controllers: [
        HealthController,
        MetricsController,
        DocsController,
        ConsoleController,
        AccessTokensController,
        IdentityController,
        DiscoveryController,
        OAuthController,
        AuthorizationController,
        LoginRequestsController,
        TenantsController,
        ApiKeysController,
        SigningKeysController,
        MediaPlatformsController,
        ClientsController,
        AdminKeysController,
        TokenRevocationController,
        EventsController,
        RevocationsController,
        WebhooksController,
      ],
      providers: [AdminCallers, HttpMetrics, EventStreams, { provide: ConsoleAssets, useFactory: () => new ConsoleAssets() }],
    };
  }
}
