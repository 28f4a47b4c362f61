import type { INestMicroservice } from '@nestjs/common';
import type { IssuerConfig } from '@roomkey/config';
import { startMicroservice } from '@roomkey/nats';
import { IssuerModule } from './issuer.module';

export function startIssuerService(config: IssuerConfig): Promise<INestMicroservice> {
  return startMicroservice(IssuerModule.forRoot(config), { nats: config, service: 'issuer', logLevel: config.logLevel, logFormat: config.logFormat });
}
