import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  DEFAULT_AUDIENCE,
  parseTokenContent,
  permissionsFor,
  type AccessTokenClaims,
  type TokenContent,
} from '@roomkey/contracts';
import { InvalidRequestError } from '@roomkey/errors';
import { ServiceMetrics, type RequestContext } from '@roomkey/nats';
import { randomUUID } from 'node:crypto';
import { KeyringCache } from './keyring-cache';
import { CLOCK, REVOCATION_CUTOFFS, type Clock, type RevocationCutoffs } from '../ports';

/** What asked for a token (the `grant` label of roomkey_tokens_issued_total). */
export type TokenGrant = 'api_key' | 'client_credentials' | 'authorization_code' | 'refresh_token' | 'mint';

export interface SignedToken {
  token: string;
  claims: AccessTokenClaims;
  expiresIn: number;
  expiresAt: string;
}

/**
 * The issuer's one token builder: every access token (CreateAccessToken, the OAuth grants, mint
 * requests from other services) is made here, from a TokenContent built by the factories in
 * `@roomkey/contracts`. Like LiveKit's `AccessToken.toJwt()`, it checks everything before signing:
 * the content goes through `parseTokenContent` (a claim the issuer sets, an unknown claim or a
 * malformed one is a 400 naming it), and only then are iss, tid, iat, exp, jti and perms added —
 * by the issuer alone, after the caller's content, so nothing can override them. Signed
 * synchronously with node:crypto by the tenant's active key's JwsSigner (KeyObject and header made
 * once per key, kept in the keyring cache): no WebCrypto round trip per token.
 */
@Injectable()
export class TokenSigner {
  /** Property-injected (the service's metrics); detached when the signer is built alone. */
  @Optional() @Inject(ServiceMetrics) private readonly metrics: ServiceMetrics = ServiceMetrics.detached;

  constructor(
    private readonly keyrings: KeyringCache,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REVOCATION_CUTOFFS) private readonly cutoffs: RevocationCutoffs,
  ) {}

  /**
   * `grant` says what asked (counted per token kind and grant); `context`: the request it is for (a
   * keyring load names it); `jti` may be chosen by the issuer when it must record the id before the
   * token exists.
   */
  async sign(tenant: string, requested: TokenContent, ttlSeconds: number, grant: TokenGrant, context: RequestContext, jti: string = randomUUID()): Promise<SignedToken> {
    if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1) {
      throw new InvalidRequestError("Field 'ttlSeconds' must be a whole number of seconds, 1 or more", 'ttlSeconds');
    }
    const content = parseTokenContent(requested);
    const keyring = await this.keyrings.forTenant(tenant, context);
    const iat = issuedAt(this.clock.now(), this.cutoffs.cutoffMs(tenant, content.sub));
    const exp = iat + ttlSeconds;
    if (content.nbf !== undefined && content.nbf >= exp) {
      throw new InvalidRequestError("Claim 'nbf' must be before the token expires", 'nbf');
    }
    const claims: AccessTokenClaims = {
      aud: DEFAULT_AUDIENCE,
      ...content,
      iss: keyring.issuer,
      tid: tenant,
      iat,
      exp,
      jti,
      // The one place permissions are decided: the tenant's matrix, less what a development key may not grant.
      ...(content.role ? { perms: permissionsFor(content.role, content.env ?? 'production', keyring.tenant.roleMatrix) } : {}),
    };
    const token = keyring.signer.sign(claims);
    this.metrics.tokenIssued(claims.kind, grant);
    return { token, claims, expiresIn: ttlSeconds, expiresAt: new Date(exp * 1000).toISOString() };
  }
}

/**
 * `iat` in whole seconds. A token made in the same second as a revocation cut-off, after it, would
 * carry an `iat` before the cut-off and be refused: it gets the next second instead (at most 1 s
 * ahead, well within every verifier's clock tolerance).
 */
function issuedAt(nowMs: number, cutoffMs: number): number {
  const iat = Math.floor(nowMs / 1000);
  return cutoffMs <= nowMs && iat * 1000 < cutoffMs ? Math.ceil(cutoffMs / 1000) : iat;
}
