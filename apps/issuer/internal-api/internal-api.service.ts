import { Injectable } from '@nestjs/common';
import {
  parseTokenContent,
  TENANT_SHORTCODE_PATTERN,
  type ApiCaller,
  type AuthenticatedApiKey,
  type MintTokenRequest,
  type MintedToken,
  type VerifiedAccessToken,
  type VerifyAccessTokenRequest,
} from '@roomkey/contracts';
import { InvalidTokenError } from '@roomkey/errors';
import { decodeJwt } from 'jose';
import { TokenSigner } from '../signing/token-signer';
import { ApiKeyAuthenticator } from '../authentication/api-key-authenticator';
import { KeyringCache } from '../signing/keyring-cache';
import { TokenVerifier } from '../verification/token-verifier.service';
import type { RequestContext } from '@roomkey/nats';

/** What the issuer offers other roomkey services: API-key authentication, minting and verification. */
@Injectable()
export class InternalApiService {
  constructor(
    private readonly apiKeys: ApiKeyAuthenticator,
    private readonly keyrings: KeyringCache,
    private readonly signer: TokenSigner,
    private readonly verifier: TokenVerifier,
  ) {}

  /** Without a secret the key is only looked up (X-Api-Key-alone access); the answer says which. */
  async authenticateApiKey(caller: ApiCaller, context: RequestContext): Promise<AuthenticatedApiKey> {
    const credential = await this.apiKeys.authenticate(caller, context, { secretOptional: true });
    const { tenant } = await this.keyrings.forTenant(credential.tenant, context);
    return { apiKey: credential.apiKey, environment: credential.environment, secretVerified: caller.secret !== undefined, tenant };
  }

  /**
   * IssuerRoutes.mintToken from another roomkey service, which has authorised the request. The
   * claims are only what a caller may set (TokenContent): parseTokenContent refuses the issuer's own
   * claims (iss, tid, iat, exp, jti, perms), unknown and malformed ones with a 400 naming them
   * before anything is signed.
   */
  async mint({ tenant, ttlSeconds, claims, profile }: MintTokenRequest, context: RequestContext): Promise<MintedToken> {
    const content = parseTokenContent(claims, 'claims');
    const signed = await this.signer.sign(tenant, content, ttlSeconds, 'mint', context, { profile: profile ?? undefined });
    return { accessToken: signed.token, expiresIn: signed.expiresIn, expiresAt: signed.expiresAt, claims: signed.claims, ...(signed.profile !== 'roomkey' ? { profile: signed.profile } : {}) };
  }

  /** Verifies for the given tenant, or for the tenant the token names (its signature then proves it). */
  async verify({ token, tenant }: VerifyAccessTokenRequest, context: RequestContext): Promise<VerifiedAccessToken> {
    let target: unknown = tenant;
    if (target === undefined) {
      try {
        target = decodeJwt(token).tid;
      } catch {
        throw new InvalidTokenError('malformed');
      }
    }
    if (typeof target !== 'string' || !TENANT_SHORTCODE_PATTERN.test(target)) throw new InvalidTokenError('no tenant');
    return { claims: await this.verifier.verify(target, token, context) };
  }
}
