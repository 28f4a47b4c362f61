export interface RunningNatsServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}
export function findNatsServer(): string | null;
export function parseNatsUrl(url: string): { host: string; port: number };
export function isReachable(host: string, port: number, timeoutMs?: number): Promise<boolean>;
export function freePort(): Promise<number>;
export function startNatsServer(options: { host?: string; port: number; storeDir?: string; logFile?: string; binary?: string | null; configFile?: string }): Promise<RunningNatsServer>;
export const HOW_TO_GET_ONE: string;
