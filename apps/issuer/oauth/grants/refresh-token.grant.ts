import { Injectable } from '@nestjs/common';
import type { TokenEndpointResult } from '@roomkey/contracts';
import { InvalidGrantError, InvalidScopeError } from '@roomkey/errors';
import { Inject } from '@nestjs/common';
import { REVOCATION_CUTOFFS, type RevocationCutoffs } from '../../ports';
import { randomUUID } from 'node:crypto';
import { TokenSigner } from '../../signing/token-signer';
import { RefreshTokenService } from '../authorize/refresh-tokens';
import { param, requiredParam } from '../oauth-params';
import { tokenResponse, userTokenClaims } from '../token-response';
import type { GrantContext, GrantHandler } from './grant-handler';

/**
 * RFC 6749 §6 with rotation: every use answers a new refresh token and retires the presented one;
 * presenting a retired one revokes its whole family. `scope` may narrow, never widen.
 */
@Injectable()
export class RefreshTokenGrant implements GrantHandler {
  readonly grantType = 'refresh_token' as const;

  constructor(
    private readonly signer: TokenSigner,
    private readonly refreshTokens: RefreshTokenService,
    @Inject(REVOCATION_CUTOFFS) private readonly cutoffs: RevocationCutoffs,
  ) {}

  async exchange({ client, tenant, params, request }: GrantContext): Promise<TokenEndpointResult> {
    const presented = requiredParam(params, 'refresh_token');
    const requestedScope = param(params, 'scope');
    const record = await this.refreshTokens.consume(presented, client.clientId, request);
    // A user or tenant cut-off (revoke-before) ends the sessions it covers: a refresh token issued
    // before it buys no new access token.
    const issuedAtSeconds = Math.floor((record.expiresAt - this.refreshTokens.lifetimeSeconds * 1000) / 1000);
    if (this.cutoffs.isRevoked(tenant, record.subject, issuedAtSeconds)) {
      throw new InvalidGrantError('The refresh token was revoked (the user or tenant was cut off)');
    }
    let scopes = record.scopes;
    if (requestedScope !== undefined) {
      scopes = [...new Set(requestedScope.split(' ').filter(Boolean))];
      const wider = scopes.filter((s) => !record.scopes.includes(s));
      if (wider.length) throw new InvalidScopeError(`Scope not granted originally: ${wider.join(' ')}`);
    }
    const grant = { subject: record.subject, role: record.role, rooms: record.rooms, scopes, audience: record.audience, metadata: record.metadata, profile: record.profile };
    const jti = randomUUID();
    const signed = await this.signer.sign(tenant, userTokenClaims(client, grant), client.accessTokenTtl, 'refresh_token', request, { jti, profile: grant.profile });
    await this.refreshTokens.recordAccessToken(record.familyId, jti, signed.claims.exp, request);
    const refreshToken = await this.refreshTokens.issue({ ...grant, familyId: record.familyId, tenant, clientId: client.clientId });
    return tokenResponse(signed, scopes, { token: refreshToken, expiresIn: this.refreshTokens.lifetimeSeconds });
  }
}
