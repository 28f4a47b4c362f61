import type { INestMicroservice } from '@nestjs/common';
import type { IssuerConfig } from '@roomkey/config';
import { startMicroservice } from '@roomkey/nats';
import { IssuerModule } from './issuer.module';

export function startIssuerService(config: IssuerConfig): Promise<INestMicroservice> {
  return startMicroservice(IssuerModule.forRoot(config), { natsUrl: config.natsUrl, service: 'issuer', logLevel: config.logLevel });
}
