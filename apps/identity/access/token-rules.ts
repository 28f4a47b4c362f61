/**
 * The limits guest, anonymous and invite-redeemed tokens share with the API key (or inviter token)
 * behind them (contract §3): a development key's tokens live at most 3600 s and name 1–10 rooms.
 */
import {
  API_KEY_TOKEN_LIFETIME,
  apiKeyRoomsRule,
  DEVELOPMENT_MAX_ROOMS,
  MAX_ROOMS,
  type Environment,
  type RoomsRule,
} from '@roomkey/contracts';

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
