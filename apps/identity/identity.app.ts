import type { INestMicroservice } from '@nestjs/common';
import type { IdentityConfig } from '@roomkey/config';
import { startMicroservice } from '@roomkey/nats';
import { IdentityModule } from './identity.module';

export function startIdentityService(config: IdentityConfig): Promise<INestMicroservice> {
  return startMicroservice(IdentityModule.forRoot(config), { nats: config, service: 'identity', logLevel: config.logLevel, logFormat: config.logFormat });
}
