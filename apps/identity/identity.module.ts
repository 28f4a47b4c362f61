import { Module, type DynamicModule } from '@nestjs/common';
import type { IdentityConfig } from '@roomkey/config';
import { pingHandler } from '@roomkey/nats';

/** Guests, anonymous viewers and invites (their flows arrive with the identity issue); answers /readyz pings. */
@Module({})
export class IdentityModule {
  static forRoot(_config: IdentityConfig): DynamicModule {
    return { module: IdentityModule, controllers: [pingHandler('identity')] };
  }
}
