import { Inject, Injectable } from '@nestjs/common';
import { PKCE_PATTERN, type TokenEndpointResult } from '@roomkey/contracts';
import { InvalidGrantError } from '@roomkey/errors';
import { randomUUID } from 'node:crypto';
import { TokenSigner } from '../../signing/token-signer';
import { transition, type LoginRequest } from '../authorize/login-request';
import { s256, tokenHash } from '../authorize/pkce';
import { RefreshTokenService } from '../authorize/refresh-tokens';
import type { VersionedStore, RequestContext } from '@roomkey/nats';
import { AUTHORIZATION_CODES, CLOCK, LOGIN_REQUESTS, type Clock } from '../../ports';
import { TokenRevoker } from '../../revocation/token-revoker';
import { param, requiredParam } from '../oauth-params';
import { tokenResponse, userTokenClaims } from '../token-response';
import type { GrantContext, GrantHandler } from './grant-handler';

const INVALID_CODE = 'Authorization code is invalid or expired';

/**
 * RFC 6749 §4.1.3 with PKCE (RFC 7636, S256 only): the code is single use, 60 s, bound to the
 * client, the redirect URI and the code challenge. A second use fails and revokes what the first
 * use issued (RFC 6749 §4.1.2).
 */
@Injectable()
export class AuthorizationCodeGrant implements GrantHandler {
  readonly grantType = 'authorization_code' as const;

  constructor(
    private readonly signer: TokenSigner,
    private readonly refreshTokens: RefreshTokenService,
    private readonly revoker: TokenRevoker,
    @Inject(LOGIN_REQUESTS) private readonly loginRequests: VersionedStore<LoginRequest>,
    @Inject(AUTHORIZATION_CODES) private readonly codes: VersionedStore<{ challenge: string }>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async exchange({ client, tenant, params, request: context }: GrantContext): Promise<TokenEndpointResult> {
    const code = requiredParam(params, 'code');
    const redirectUri = param(params, 'redirect_uri');
    const verifier = param(params, 'code_verifier');
    const index = await this.codes.get(tokenHash(code));
    const found = index ? await this.loginRequests.get(index.value.challenge) : null;
    if (!found || found.value.clientId !== client.clientId || found.value.tenant !== tenant) throw new InvalidGrantError(INVALID_CODE);
    const request = found.value;
    if (request.state === 'code_used') {
      await this.revokeIssued(request, context);
      throw new InvalidGrantError('Authorization code was already used; the tokens issued for it are revoked');
    }
    if (request.state !== 'code_issued' || this.clock.now() > (request.codeExpiresAt ?? 0)) throw new InvalidGrantError(INVALID_CODE);
    if (redirectUri !== request.redirectUri) throw new InvalidGrantError('redirect_uri does not match the authorization request');
    if (!verifier || !PKCE_PATTERN.test(verifier) || s256(verifier) !== request.codeChallenge) {
      throw new InvalidGrantError('code_verifier is missing or does not match the code_challenge');
    }

    // Decide the token ids first and record them with the code's use, so that a racing second use
    // revokes exactly what this one issues.
    const jti = randomUUID();
    const exp = Math.floor(this.clock.now() / 1000) + client.accessTokenTtl;
    const withRefresh = client.grantTypes.includes('refresh_token');
    const familyId = withRefresh ? await this.refreshTokens.startFamily(tenant, client.clientId) : undefined;
    const used = transition(request, 'code_used', { issued: { jti, exp, ...(familyId ? { familyId } : {}) } });
    if (!(await this.loginRequests.update(request.challenge, used, found.revision))) {
      const now = await this.loginRequests.get(request.challenge);
      if (now) await this.revokeIssued(now.value, context);
      throw new InvalidGrantError('Authorization code was already used; the tokens issued for it are revoked');
    }

    const grant = { subject: request.subject!, role: request.role, rooms: request.rooms, scopes: request.scopes, audience: request.audience, metadata: request.metadata, profile: request.profile };
    const signed = await this.signer.sign(tenant, userTokenClaims(client, grant), client.accessTokenTtl, 'authorization_code', context, { jti, profile: grant.profile });
    if (!familyId) return tokenResponse(signed, request.scopes);
    await this.refreshTokens.recordAccessToken(familyId, jti, signed.claims.exp, context);
    const refreshToken = await this.refreshTokens.issue({ familyId, tenant, clientId: client.clientId, ...grant });
    return tokenResponse(signed, request.scopes, { token: refreshToken, expiresIn: this.refreshTokens.lifetimeSeconds });
  }

  private async revokeIssued(request: LoginRequest, context: RequestContext): Promise<void> {
    if (!request.issued) return;
    await this.revoker.revoke(request.tenant, request.issued.jti, request.issued.exp, context);
    if (request.issued.familyId) await this.refreshTokens.revokeFamily(request.issued.familyId, context);
  }
}
