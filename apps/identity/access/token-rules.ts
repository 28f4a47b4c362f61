/**
 * The limits guest, anonymous and invite-redeemed tokens share with the API key (or inviter token)
 * behind them (contract §3): a development key's tokens live at most 3600 s and name 1–10 rooms.
 * The schemas hold the limits that do not depend on the caller; these are the ones that do.
 */
import { API_KEY_TOKEN_LIFETIME, apiKeyRoomsRule, DEVELOPMENT_MAX_ROOMS, MAX_ROOMS, type Environment, type RoomsRule } from '@roomkey/contracts';
import { InvalidRequestError } from '@roomkey/errors';

export interface TokenRules {
  rooms: RoomsRule;
  maxTtlSeconds: number;
}

/** Guest tokens: rooms optional (required from a development key). */
export function guestTokenRules(environment: Environment): TokenRules {
  return {
    rooms: apiKeyRoomsRule(environment),
    maxTtlSeconds: API_KEY_TOKEN_LIFETIME[environment].max,
  };
}

/** Anonymous tokens: rooms always required (1–100, or 1–10 from a development key). */
export function anonymousTokenRules(environment: Environment): TokenRules {
  return {
    rooms: { required: true, max: environment === 'development' ? DEVELOPMENT_MAX_ROOMS : MAX_ROOMS },
    maxTtlSeconds: API_KEY_TOKEN_LIFETIME[environment].max,
  };
}

/** The rooms within the caller's limit, duplicates folded; undefined when optional and absent. */
export function roomsWithin(rooms: string[] | undefined, rule: RoomsRule): string[] | undefined {
  if (rooms === undefined) {
    if (rule.required) throw new InvalidRequestError(`Field 'rooms' is required: name 1–${rule.max} rooms`, 'rooms');
    return undefined;
  }
  if (rooms.length > rule.max) throw new InvalidRequestError(`Field 'rooms' must name 1–${rule.max} rooms`, 'rooms');
  return [...new Set(rooms)];
}

/** The requested lifetime within the API key's maximum, or the default. */
export function lifetimeWithin(ttlSeconds: number | undefined, rules: TokenRules, environment: Environment, fallback: number): number {
  if (ttlSeconds === undefined) return fallback;
  if (ttlSeconds > rules.maxTtlSeconds) {
    throw new InvalidRequestError(`Field 'ttlSeconds' must be from 1 to ${rules.maxTtlSeconds} for a ${environment} API key`, 'ttlSeconds');
  }
  return ttlSeconds;
}
