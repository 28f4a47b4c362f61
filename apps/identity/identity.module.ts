import { Module, type DynamicModule } from '@nestjs/common';
import type { IdentityConfig } from '@roomkey/config';
import { MetricsModule, pingHandler } from '@roomkey/nats';
import { InviterAccess } from './access/inviter-access';
import { KeyAccess } from './access/key-access';
import { AnonymousHandlers } from './anonymous/anonymous.handlers';
import { AnonymousService } from './anonymous/anonymous.service';
import { IdentityEvents } from './events/identity-events';
import { GuestHandlers } from './guests/guest.handlers';
import { GuestService } from './guests/guest.service';
import { IdentityInfraModule } from './infra.module';
import { InviteHandlers } from './invites/invite.handlers';
import { InviteService } from './invites/invite.service';

/**
 * The identity service: guests, anonymous viewers and delegated invites. Stateless apart from the
 * invites it keeps in JetStream KV; run as many replicas as needed.
 */
@Module({})
export class IdentityModule {
  static forRoot(config: IdentityConfig): DynamicModule {
    return {
      module: IdentityModule,
      imports: [IdentityInfraModule.forRoot(config), MetricsModule.forService('identity')],
      controllers: [GuestHandlers, AnonymousHandlers, InviteHandlers, pingHandler('identity')],
      providers: [KeyAccess, InviterAccess, IdentityEvents, GuestService, AnonymousService, InviteService],
    };
  }
}
