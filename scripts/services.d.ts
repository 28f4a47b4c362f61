export const SERVICES: readonly string[];
export function serviceNodeArgs(service: string): string[];
