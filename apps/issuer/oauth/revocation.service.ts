import { Inject, Injectable } from '@nestjs/common';
import {
  MAX_TOKEN_LIFETIME_SECONDS,
  readText,
  rejectUnknownFields,
  requireObject,
  type EmptyResult,
  type OAuthEndpointRequest,
  type RevokeTokenResult,
} from '@roomkey/contracts';
import { InvalidRequestError, InvalidTokenError, UnauthorizedClientError } from '@roomkey/errors';
import { ApiKeyAuthenticator } from '../auth-throttle/api-key-authenticator';
import { CLOCK, type Clock } from '../ports';
import { TokenRevoker } from '../revocation/token-revoker';
import { TokenVerifier } from '../verification/token-verifier.service';
import { ClientAuthenticator } from './client-authenticator';
import { endpointParams, requiredParam } from './oauth-params';

const JTI_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

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
  async revokeForClient(request: OAuthEndpointRequest): Promise<EmptyResult> {
    const params = endpointParams(request);
    const client = await this.authenticator.authenticate({ ...request, params }, { requireSecret: false });
    const token = requiredParam(params, 'token');
    let claims;
    try {
      claims = await this.verifier.verify(client.tenant, token);
    } catch (error) {
      if (error instanceof InvalidTokenError) return {};
      throw error;
    }
    if (claims.client_id !== client.clientId) throw new UnauthorizedClientError('The token was not issued to this client');
    await this.revoke(client.tenant, claims.jti, claims.exp);
    return {};
  }

  /** `/v1/tokens/revoke`: any API key of the tenant revokes a token (`{token}`) or a token id (`{jti}`). */
  async revokeWithApiKey(request: unknown): Promise<RevokeTokenResult> {
    const body = requireObject(request);
    const credential = await this.apiKeys.authenticate(body);
    rejectUnknownFields(body, ['token', 'jti', 'apiKey', 'secret', 'clientAddress']);
    if ((body.token === undefined) === (body.jti === undefined)) {
      throw new InvalidRequestError("Send exactly one of 'token' or 'jti'", body.token === undefined ? 'token' : 'jti');
    }
    let jti: string;
    let exp: number;
    if (body.token !== undefined) {
      const claims = await this.verifier.verify(credential.tenant, readText(body, 'token', { max: 8192 }));
      ({ jti, exp } = claims);
    } else {
      jti = readText(body, 'jti', { max: 128, pattern: JTI_PATTERN, patternHint: 'must be a token id (letters, digits, - and _)' });
      // The token's expiry is unknown: keep the revocation for the longest lifetime any token can have.
      exp = Math.floor(this.clock.now() / 1000) + MAX_TOKEN_LIFETIME_SECONDS;
    }
    await this.revoke(credential.tenant, jti, exp);
    return { revoked: true, jti };
  }

  private revoke(tenant: string, jti: string, exp: number): Promise<void> {
    return this.revoker.revoke(tenant, jti, exp);
  }
}
