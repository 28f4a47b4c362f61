import { Injectable } from '@nestjs/common';
import type { ClientCredentialRecord, OAuthEndpointRequest } from '@roomkey/contracts';
import { InvalidClientError, OAuthInvalidRequestError } from '@roomkey/errors';
import { AuthenticationThrottle } from '../authentication/authentication-throttle';
import { ClientCache } from './client-cache';
import { param } from './oauth-params';
import type { RequestContext } from '@roomkey/nats';

/** Client authentication for the OAuth endpoints: client_secret_basic or client_secret_post, never both. */
@Injectable()
export class ClientAuthenticator {
  constructor(
    private readonly clients: ClientCache,
    private readonly throttle: AuthenticationThrottle,
  ) {}

  /** The authenticated client; `requireSecret` refuses public clients (introspection, client_credentials). */
  async authenticate(request: OAuthEndpointRequest, context: RequestContext, options: { requireSecret: boolean }): Promise<ClientCredentialRecord> {
    const postedId = param(request.params, 'client_id');
    const postedSecret = param(request.params, 'client_secret');
    let clientId: string;
    let secret: string | undefined;
    if (request.basic) {
      if (postedSecret !== undefined) throw new OAuthInvalidRequestError('Use one client authentication method: HTTP Basic or client_secret in the body, not both');
      if (postedId !== undefined && postedId !== request.basic.clientId) throw new InvalidClientError('Client authentication failed');
      ({ clientId, clientSecret: secret } = request.basic);
    } else if (postedId !== undefined) {
      clientId = postedId;
      secret = postedSecret;
    } else {
      throw new InvalidClientError('Client authentication is required: HTTP Basic or client_id and client_secret in the body');
    }
    return this.throttle.guard({ scope: 'client', id: clientId, address: request.clientAddress }, context, async () => {
      const client = await this.clients.authenticate(clientId, secret, context);
      if ((request.tenant !== undefined && client.tenant !== request.tenant) || (options.requireSecret && secret === undefined)) {
        throw new InvalidClientError('Client authentication failed');
      }
      return client;
    });
  }
}
