import 'reflect-metadata';
import { readGatewayConfig } from '@roomkey/config';
import { runService } from '@roomkey/nats';
import { startGateway } from './gateway.app';

void runService('gateway', async () => {
  const config = readGatewayConfig();
  if (config.adminTokenGenerated) {
    process.stdout.write(`roomkey: generated the admin token (shown once; kept in ${config.dataDir}/admin-token):\n  ${config.adminToken}\n`);
  }
  const app = await startGateway(config);
  process.stdout.write(`roomkey gateway listening on ${config.publicUrl}\n`);
  return app;
});
