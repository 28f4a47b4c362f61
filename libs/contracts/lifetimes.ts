/** Token lifetimes in seconds (contract §1 and §3). */
import type { Environment } from './claims';
import type { RoomsRule } from './validation';

export const API_KEY_TOKEN_LIFETIME: Readonly<Record<Environment, { default: number; max: number }>> = {
  production: { default: 3600, max: 86400 },
  development: { default: 3600, max: 3600 },
};

/** Development keys must name between 1 and 10 rooms. */
export const DEVELOPMENT_MAX_ROOMS = 10;
/** Production tokens and anonymous tokens may name up to 100 rooms. */
export const MAX_ROOMS = 100;

/** Rooms of a token minted with an API key: required (1–10) from a development key, optional (≤ 100) otherwise. */
export function apiKeyRoomsRule(environment: Environment): RoomsRule {
  return environment === 'development' ? { required: true, max: DEVELOPMENT_MAX_ROOMS } : { required: false, max: MAX_ROOMS };
}

export const GUEST_TOKEN_DEFAULT_LIFETIME = 3600;
export const ANONYMOUS_TOKEN_DEFAULT_LIFETIME = 3600;
export const INVITE_DEFAULT_LIFETIME = 86400;
export const OAUTH_CLIENT_TOKEN_LIFETIME = { default: 7200, max: 57600 } as const;

/**
 * The longest any roomkey token may live. A retiring signing key stays in the JWKS for this long
 * (plus clock tolerance and a propagation margin), so no token it signed can outlive its key.
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 86400;
