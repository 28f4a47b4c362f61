import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  ACCESS_TOKEN_TYPE,
  assertTokenShape,
  CLOCK_TOLERANCE_SECONDS,
  parseAccessTokenClaims,
  type AccessTokenClaims,
  type ApiCaller,
  type CredentialRecord,
  type PartnerTokenClaims,
  type ProfileTokenClaims,
  type VerifyTokenBody,
  type VerifyTokenResult,
} from '@roomkey/contracts';
import { InvalidTokenError, logTokenRejection } from '@roomkey/errors';
import { ServiceMetrics, type TokenVerificationResult, type RequestContext } from '@roomkey/nats';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { KeyringCache } from '../signing/keyring-cache';
import { ApiKeyAuthenticator } from '../authentication/api-key-authenticator';
import { CLOCK, REVOCATION_CUTOFFS, REVOCATION_STORE, type Clock, type RevocationCutoffs, type RevocationStore } from '../ports';
import { PartnerTokenVerifier } from './partner-token.verifier';
import { ProfileTokenVerifier } from './profile-token.verifier';

/**
 * Verification (contract §3): the key's own algorithm only (never `none`, never HS* against an
 * asymmetric key), a known kid, exp/nbf with 30 s tolerance, the tenant's iss, the claim schema, and
 * not revoked (checked in memory against the replicated revocation list).
 */
export interface VerifyOptions {
  /** A revoked token still answers its claims (revoking it again is not an error). */
  acceptRevoked?: boolean;
}

@Injectable()
export class TokenVerifier {
  /** Property-injected (the service's metrics); detached when the verifier is built alone. */
  @Optional() @Inject(ServiceMetrics) private readonly metrics: ServiceMetrics = ServiceMetrics.detached;

  constructor(
    private readonly apiKeys: ApiKeyAuthenticator,
    private readonly keyrings: KeyringCache,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REVOCATION_STORE) private readonly revocations: RevocationStore,
    private readonly partnerTokens: PartnerTokenVerifier,
    @Inject(REVOCATION_CUTOFFS) private readonly cutoffs: RevocationCutoffs,
    private readonly profileTokens: ProfileTokenVerifier,
  ) {}

  /** The caller's API key; checked before the body, so bad credentials are a 401 whatever the body holds. */
  authenticate(caller: ApiCaller, context: RequestContext): Promise<CredentialRecord> {
    return this.apiKeys.authenticate(caller, context);
  }

  /**
   * The public verify subject (PublicRoutes.verifyToken), for the caller's tenant: a roomkey token,
   * or a partner-signed HS256 token naming one of the tenant's API keys.
   */
  async verifyForCaller(credential: CredentialRecord, { token }: VerifyTokenBody, context: RequestContext): Promise<VerifyTokenResult> {
    if (algorithmOf(token) === 'HS256') {
      const tenant = credential.tenant;
      const claims = this.profileTokens
        .verify(tenant, token, context)
        .then((profile): Promise<ProfileTokenClaims | PartnerTokenClaims> => (profile ? Promise.resolve(profile) : this.partnerTokens.verify(tenant, token, context)));
      return { active: true, claims: await this.counted(claims) };
    }
    return { active: true, claims: await this.verify(credential.tenant, token, context) };
  }

  /**
   * A token roomkey issued for `tenant`: its own (asymmetric, at+jwt), or a claim-profile token
   * (HS256 in a media platform's shape). Revocation and introspection accept both.
   */
  verifyIssued(tenant: string, token: string, context: RequestContext, options: VerifyOptions = {}): Promise<AccessTokenClaims | ProfileTokenClaims> {
    if (algorithmOf(token) !== 'HS256') return this.verify(tenant, token, context, options);
    const claims = this.profileTokens.verify(tenant, token, context, options).then((profile) => {
      if (!profile) throw new InvalidTokenError('HS256 token that is no profile token of the tenant');
      return profile;
    });
    return this.counted(claims).catch((error: unknown) => logTokenRejection(error, token, context));
  }

  /** Claims of a valid token of `tenant`; InvalidTokenError (one message; the reason, kid and jti logged) for anything else. */
  verify(tenant: string, token: string, context: RequestContext, options: VerifyOptions = {}): Promise<AccessTokenClaims> {
    return this.counted(this.check(tenant, token, context, options)).catch((error: unknown) => logTokenRejection(error, token, context));
  }

  /** Counts a verification by result (roomkey_token_verifications_total); other failures (503) are no result. */
  private counted<T>(verification: Promise<T>): Promise<T> {
    return verification.then(
      (claims) => {
        this.metrics.tokenVerified('valid');
        return claims;
      },
      (error: unknown) => {
        if (error instanceof InvalidTokenError) this.metrics.tokenVerified(verificationFailure(error));
        throw error;
      },
    );
  }

  private async check(tenant: string, token: string, context: RequestContext, options: VerifyOptions): Promise<AccessTokenClaims> {
    assertTokenShape(token);
    let header;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new InvalidTokenError('malformed header');
    }
    if (typeof header.kid !== 'string' || header.typ !== ACCESS_TOKEN_TYPE) throw new InvalidTokenError('kid or typ');
    const key = await this.keyrings.verificationKey(tenant, header.kid, context);
    if (!key || header.alg !== key.alg) throw new InvalidTokenError('unknown kid or algorithm not allowed for the key');
    const keyring = await this.keyrings.forTenant(tenant, context);
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, key.key, {
        algorithms: [key.alg],
        issuer: keyring.issuer,
        typ: ACCESS_TOKEN_TYPE,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(this.clock.now()),
      }));
    } catch {
      throw new InvalidTokenError('signature or time claims');
    }
    const claims = parseAccessTokenClaims(payload);
    if (claims.tid !== tenant) throw new InvalidTokenError('tenant mismatch');
    if (!options.acceptRevoked && this.revocations.isRevoked(tenant, claims.jti)) throw new InvalidTokenError('revoked');
    if (!options.acceptRevoked && this.cutoffs.isRevoked(tenant, claims.sub, claims.iat)) throw new InvalidTokenError('issued before a revocation cut-off');
    return claims;
  }
}

function verificationFailure(error: InvalidTokenError): TokenVerificationResult {
  const detail = (error as { detail?: unknown }).detail;
  return detail === 'revoked' || (typeof detail === 'string' && detail.startsWith('issued before')) ? 'revoked' : 'invalid';
}

function algorithmOf(token: string): unknown {
  try {
    return decodeProtectedHeader(token).alg;
  } catch {
    return undefined;
  }
}
