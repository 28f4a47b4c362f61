import type { INestMicroservice } from '@nestjs/common';
import type { KeysConfig } from '@roomkey/config';
import { startMicroservice } from '@roomkey/nats';
import { KeysModule } from './keys.module';

export function startKeysService(config: KeysConfig): Promise<INestMicroservice> {
  return startMicroservice(KeysModule.forRoot(config), { nats: config, service: 'keys', logLevel: config.logLevel, logFormat: config.logFormat });
}
