/**
 * Three (or more) nats-server processes clustered on free loopback ports, each run with the
 * configuration `npm run nats-config` generates (services and client roles), for fault tests:
 * a node can be killed and started again on the same ports and storage.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildNatsConfig } from '../../scripts/nats-config';
import { freePort, startNatsServer, type RunningNatsServer } from '../../scripts/nats-server';

export interface ClusterNode {
  url: string;
  running: RunningNatsServer | null;
  /** SIGKILL: the node vanishes without a goodbye. */
  kill(): Promise<void>;
  start(): Promise<void>;
}

export interface NatsCluster {
  urls: string[];
  nodes: ClusterNode[];
  users: { servicesUser: string; servicesPassword: string; clientUser: string; clientPassword: string };
  stop(): Promise<void>;
}

export async function startNatsCluster(dir: string, size = 3, namespace = 'roomkey'): Promise<NatsCluster> {
  const users = {
    servicesUser: `${namespace}-services`,
    servicesPassword: randomBytes(18).toString('base64url'),
    clientUser: `${namespace}-client`,
    clientPassword: randomBytes(18).toString('base64url'),
  };
  const ports = await Promise.all(Array.from({ length: size }, () => freePort()));
  const routePorts = await Promise.all(Array.from({ length: size }, () => freePort()));
  const nodes: ClusterNode[] = ports.map((port, i) => {
    const storeDir = join(dir, `node-${i + 1}`);
    mkdirSync(storeDir, { recursive: true });
    const configFile = join(dir, `nats-server-${i + 1}.conf`);
    const routes = routePorts.filter((_, j) => j !== i).map((p) => `nats-route://127.0.0.1:${p}`);
    writeFileSync(
      configFile,
      buildNatsConfig({
        namespace,
        host: '127.0.0.1',
        port,
        storeDir,
        ...users,
        cluster: { name: `${namespace}-test`, serverName: `n${i + 1}`, host: '127.0.0.1', port: routePorts[i], routes },
      }),
      { mode: 0o600 },
    );
    const node: ClusterNode = {
      url: `nats://127.0.0.1:${port}`,
      running: null,
      async kill() {
        if (!node.running) return;
        process.kill(node.running.pid!, 'SIGKILL');
        await node.running.stop();
        node.running = null;
      },
      async start() {
        node.running = await startNatsServer({ host: '127.0.0.1', port, configFile, logFile: join(dir, `node-${i + 1}.log`) });
      },
    };
    return node;
  });
  await Promise.all(nodes.map((n) => n.start()));
  return {
    urls: nodes.map((n) => n.url),
    nodes,
    users,
    async stop() {
      await Promise.all(nodes.map((n) => n.running?.stop()));
    },
  };
}
