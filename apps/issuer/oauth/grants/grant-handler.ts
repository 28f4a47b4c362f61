import type { ClientCredentialRecord, GrantType, OAuthParams, TokenEndpointResult } from '@roomkey/contracts';

export interface GrantContext {
  /** The authenticated client; it is allowed this grant type. */
  client: ClientCredentialRecord;
  tenant: string;
  params: OAuthParams;
}

/** One grant type of the token endpoint; each lives in its own file and is listed in GRANT_HANDLERS. */
export interface GrantHandler {
  readonly grantType: GrantType;
  exchange(context: GrantContext): Promise<TokenEndpointResult>;
}

export const GRANT_HANDLERS = Symbol('GrantHandlers');
