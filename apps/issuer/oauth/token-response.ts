import { type ClientCredentialRecord, type MintableClaims, type Role, type TokenEndpointResult } from '@roomkey/contracts';
import type { SignedToken } from '../access-tokens/token-signer';
import { grantedAudience } from './scopes-and-audiences';

/** The token endpoint's answer (contract §4); `refresh_expires_in` is 0 without a refresh token. */
export function tokenResponse(signed: SignedToken, scopes: string[], refresh?: { token: string; expiresIn: number }): TokenEndpointResult {
  return {
    access_token: signed.token,
    expires_in: signed.expiresIn,
    refresh_expires_in: refresh ? refresh.expiresIn : 0,
    token_type: 'Bearer',
    'not-before-policy': 0,
    scope: scopes.join(' '),
    ...(refresh ? { refresh_token: refresh.token } : {}),
  };
}

/** Claims of a user token from the authorization code flow (the partner's login app chose subject, role, rooms). */
export function userTokenClaims(
  client: ClientCredentialRecord,
  grant: { subject: string; role?: Role; rooms?: string[]; scopes: string[]; audience: string | null },
): MintableClaims {
  const scope = grant.scopes.join(' ');
  return {
    sub: grant.subject,
    client_id: client.clientId,
    kind: 'user',
    aud: grant.audience ?? grantedAudience(client, undefined),
    ...(grant.role ? { role: grant.role } : {}),
    ...(grant.rooms ? { rooms: grant.rooms } : {}),
    ...(scope ? { scope } : {}),
  };
}
