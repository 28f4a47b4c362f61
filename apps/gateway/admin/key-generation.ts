import type { GatewayConfig } from '@roomkey/config';

/**
 * Creating a tenant and rotating its signing keys make key pairs in the keys service: an RSA-2048
 * pair takes from tens of milliseconds to seconds on a busy core (its prime search varies), so these
 * admin calls wait at least this long instead of the NATS request timeout meant for lookups.
 */
export const KEY_GENERATION_TIMEOUT_MS = 15_000;

export function keyGenerationTimeoutMs(config: GatewayConfig): number {
  return Math.max(config.natsRequestTimeoutMs, KEY_GENERATION_TIMEOUT_MS);
}
