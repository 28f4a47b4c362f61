import { Injectable } from '@nestjs/common';
import type { AccessTokenClaims, IntrospectionResult, OAuthEndpointRequest } from '@roomkey/contracts';
import { InvalidTokenError } from '@roomkey/errors';
import { TokenVerifier } from '../verification/token-verifier.service';
import { ClientAuthenticator } from './client-authenticator';
import { endpointParams, requiredParam } from './oauth-params';
import type { RequestContext } from '@roomkey/nats';

/** RFC 7662: a confidential client asks whether a token of its tenant is active. */
@Injectable()
export class IntrospectionService {
  constructor(
    private readonly authenticator: ClientAuthenticator,
    private readonly verifier: TokenVerifier,
  ) {}

  async introspect(request: OAuthEndpointRequest, context: RequestContext): Promise<IntrospectionResult> {
    const params = endpointParams(request);
    const client = await this.authenticator.authenticate({ ...request, params }, context, { requireSecret: true });
    const token = requiredParam(params, 'token');
    try {
      // roomkey's own tokens and its claim-profile tokens (the platform's claims, with `tid` and `profile`).
      const claims = await this.verifier.verifyIssued(client.tenant, token, context);
      return { active: true, token_type: 'Bearer', ...(claims as AccessTokenClaims) };
    } catch (error) {
      if (error instanceof InvalidTokenError) return { active: false };
      throw error;
    }
  }
}
