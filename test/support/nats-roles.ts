/**
 * A private nats-server that enforces roomkey's two roles (contract §5.1), as `npm start` and
 * `npm run nats-config` write it: fresh passwords for the *services* and *client* users, and the
 * `startSystem` options that run the services as *services* on it.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildNatsConfig } from '../../scripts/nats-config';
import type { SystemOptions } from './harness';

export interface NatsRoles {
  users: { servicesUser: string; servicesPassword: string; clientUser: string; clientPassword: string };
  /** Spread into `startSystem` options. */
  system: Pick<SystemOptions, 'natsAuth' | 'natsConfigFile'>;
  /** `connect()` options of the client role (add `servers`). */
  client: { user: string; pass: string };
}

export function natsRoles(namespace = 'roomkey'): NatsRoles {
  const users = {
    servicesUser: 'roomkey-services',
    servicesPassword: randomBytes(18).toString('base64url'),
    clientUser: 'roomkey-client',
    clientPassword: randomBytes(18).toString('base64url'),
  };
  return {
    users,
    system: {
      natsAuth: { user: users.servicesUser, pass: users.servicesPassword },
      natsConfigFile: (port, dataDir) => {
        const file = join(dataDir, 'nats-server.conf');
        writeFileSync(file, buildNatsConfig({ namespace, port, storeDir: join(dataDir, 'nats'), ...users }), { mode: 0o600 });
        return file;
      },
    },
    client: { user: users.clientUser, pass: users.clientPassword },
  };
}
