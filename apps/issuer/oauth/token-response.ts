import { userToken, type ClientCredentialRecord, type Role, type TokenContent, type TokenEndpointResult, type TokenMetadata } from '@roomkey/contracts';
import type { SignedToken } from '../signing/token-signer';
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
    ...(signed.profile !== 'roomkey' ? { profile: signed.profile } : {}),
  };
}

/** A user token from the authorization code flow or a refresh (the partner's login app chose subject, role, rooms). */
export function userTokenClaims(
  client: ClientCredentialRecord,
  grant: { subject: string; role?: Role; rooms?: string[]; scopes: string[]; audience: string | null; metadata?: TokenMetadata },
): TokenContent {
  return userToken({
    subject: grant.subject,
    clientId: client.clientId,
    audience: grant.audience ?? grantedAudience(client, undefined),
    role: grant.role,
    rooms: grant.rooms,
    scopes: grant.scopes,
    metadata: grant.metadata,
  });
}
