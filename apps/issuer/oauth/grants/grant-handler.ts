import type { ClientCredentialRecord, GrantType, OAuthParams, TokenEndpointResult } from '@roomkey/contracts';
import type { RequestContext } from '@roomkey/nats';

export interface GrantContext {
  /** The authenticated client; it is allowed this grant type. */
  client: ClientCredentialRecord;
  tenant: string;
  params: OAuthParams;
  /** The request asking (its id and span travel with the lookups made for it). */
  request: RequestContext;
}

/** One grant type of the token endpoint; each lives in its own file and is listed in GRANT_HANDLERS. */
export interface GrantHandler {
  readonly grantType: GrantType;
  exchange(context: GrantContext): Promise<TokenEndpointResult>;
}

export const GRANT_HANDLERS = Symbol('GrantHandlers');
