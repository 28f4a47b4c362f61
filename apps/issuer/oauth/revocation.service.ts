import { Inject, Injectable } from '@nestjs/common';
import {
  MAX_TOKEN_LIFETIME_SECONDS,
  type ApiCaller,
  type CredentialRecord,
  type EmptyResult,
  type OAuthEndpointRequest,
  type RevokeTokenBody,
  type RevokeTokenResult,
} from '@roomkey/contracts';
import { InvalidRequestError, InvalidTokenError, UnauthorizedClientError } from '@roomkey/errors';
import { ApiKeyAuthenticator } from '../authentication/api-key-authenticator';
import { CLOCK, type Clock } from '../ports';
import { TokenRevoker } from '../revocation/token-revoker';
import { TokenVerifier } from '../verification/token-verifier.service';
import { ClientAuthenticator } from './client-authenticator';
import { endpointParams, requiredParam } from './oauth-params';
import type { RequestContext } from '@roomkey/nats';

/** Revocation: RFC 7009 for OAuth clients, `/v1/tokens/revoke` for API keys. Every replica refuses the token at once. */
@Injectable()
export class RevocationService {
  constructor(
    private readonly apiKeys: ApiKeyAuthenticator,
    private readonly authenticator: ClientAuthenticator,
    private readonly verifier: TokenVerifier,
    private readonly revoker: TokenRevoker,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** RFC 7009: an invalid or unknown token is not an error (200); another client's token is refused. */
  async revokeForClient(request: OAuthEndpointRequest, context: RequestContext): Promise<EmptyResult> {
    const params = endpointParams(request);
    const client = await this.authenticator.authenticate({ ...request, params }, context, { requireSecret: false });
    const token = requiredParam(params, 'token');
    let claims;
    try {
      claims = await this.verifier.verify(client.tenant, token, context);
    } catch (error) {
      if (error instanceof InvalidTokenError) return {};
      throw error;
    }
    if (claims.client_id !== client.clientId) throw new UnauthorizedClientError('The token was not issued to this client');
    await this.revoker.revoke(client.tenant, claims.jti, claims.exp, context);
    return {};
  }

  /** The caller's API key; checked before the body, so bad credentials are a 401 whatever the body holds. */
  authenticate(caller: ApiCaller, context: RequestContext): Promise<CredentialRecord> {
    return this.apiKeys.authenticate(caller, context);
  }

  /** `/v1/tokens/revoke`: any API key of the tenant revokes a token (`{token}`) or a token id (`{jti}`). */
  async revokeWithApiKey(credential: CredentialRecord, command: RevokeTokenBody, context: RequestContext): Promise<RevokeTokenResult> {
    if ((command.token === undefined) === (command.jti === undefined)) {
      throw new InvalidRequestError("Send exactly one of 'token' or 'jti'", command.token === undefined ? 'token' : 'jti');
    }
    let jti: string;
    let exp: number;
    if (command.token !== undefined) {
      // Revoking again is answered like the first time (and announces it again, in case the first
      // announcement was lost with a NATS node).
      ({ jti, exp } = await this.verifier.verifyIssued(credential.tenant, command.token, context, { acceptRevoked: true }));
    } else {
      jti = command.jti as string;
      // The token's expiry is unknown: keep the revocation for the longest lifetime any token can have.
      exp = Math.floor(this.clock.now() / 1000) + MAX_TOKEN_LIFETIME_SECONDS;
    }
    await this.revoker.revoke(credential.tenant, jti, exp, context);
    return { revoked: true, jti };
  }
}
