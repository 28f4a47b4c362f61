import { Injectable } from '@nestjs/common';
import { serviceToken, type TokenEndpointResult } from '@roomkey/contracts';
import { UnauthorizedClientError } from '@roomkey/errors';
import { TokenSigner } from '../../signing/token-signer';
import { param } from '../oauth-params';
import { grantedAudience, grantedScopes } from '../scopes-and-audiences';
import { tokenResponse } from '../token-response';
import type { GrantContext, GrantHandler } from './grant-handler';

/** RFC 6749 §4.4: a machine client gets a token for itself (`sub` = client id, kind `service`). No refresh token. */
@Injectable()
export class ClientCredentialsGrant implements GrantHandler {
  readonly grantType = 'client_credentials' as const;

  constructor(private readonly signer: TokenSigner) {}

  async exchange({ client, tenant, params, request }: GrantContext): Promise<TokenEndpointResult> {
    if (client.public) throw new UnauthorizedClientError('A public client cannot use client_credentials');
    const scopes = grantedScopes(client, param(params, 'scope'));
    const aud = grantedAudience(client, param(params, 'audience'));
    const signed = await this.signer.sign(tenant, serviceToken({ clientId: client.clientId, audience: aud, scopes }), client.accessTokenTtl, 'client_credentials', request);
    return tokenResponse(signed, scopes);
  }
}
