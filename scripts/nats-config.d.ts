export interface NatsClusterOptions {
  name: string;
  serverName: string;
  host: string;
  port: number;
  routes: string[];
}
export function buildNatsConfig(options: {
  namespace?: string;
  host?: string;
  port?: number;
  servicesUser: string;
  servicesPassword: string;
  clientUser: string;
  clientPassword: string;
  storeDir?: string;
  cluster?: NatsClusterOptions;
}): string;
export function writeNatsConfig(options: {
  out: string;
  namespace?: string;
  /** Number of servers (>= 3); writes nats-server-1.conf … instead of nats-server.conf. */
  cluster?: number;
  host?: string;
  port?: number;
  connectHost?: string;
  storeDir?: string;
  clusterPort?: number;
}): { dir: string; serverConfigs: string[]; servicesEnv: string; clientJson: string; urls: string[] };
export function writePrivateFile(file: string, text: string): void;
export function randomPassword(): string;
export function userNames(namespace: string): { servicesUser: string; clientUser: string };
export function clientJson(options: { urls: string[]; clientUser: string; clientPassword: string }): string;
export const USAGE: string;
