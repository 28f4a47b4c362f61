import { Injectable } from '@nestjs/common';
import type { OAuthEndpointRequest, TokenEndpointResult } from '@roomkey/contracts';
import { UnauthorizedClientError, UnsupportedGrantTypeError } from '@roomkey/errors';
import { ClientAuthenticator } from './client-authenticator';
import { GrantRegistry } from './grants/grant-registry';
import { endpointParams, requiredParam } from './oauth-params';
import type { RequestContext } from '@roomkey/nats';

/** The token endpoint (RFC 6749 §3.2): checks the request, authenticates the client, hands over to the grant. */
@Injectable()
export class TokenEndpointService {
  constructor(
    private readonly authenticator: ClientAuthenticator,
    private readonly grants: GrantRegistry,
  ) {}

  async exchange(request: OAuthEndpointRequest, context: RequestContext): Promise<TokenEndpointResult> {
    const params = endpointParams(request);
    const grantType = requiredParam(params, 'grant_type');
    const handler = this.grants.find(grantType);
    if (!handler) throw new UnsupportedGrantTypeError(`Unsupported grant_type '${grantType}'`);
    const client = await this.authenticator.authenticate({ ...request, params }, context, { requireSecret: false });
    if (!client.grantTypes.includes(handler.grantType)) {
      throw new UnauthorizedClientError(`Client is not allowed the ${grantType} grant`);
    }
    return handler.exchange({ client, tenant: client.tenant, params, request: context });
  }
}
