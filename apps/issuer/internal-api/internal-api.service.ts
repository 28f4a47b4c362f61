import { Injectable } from '@nestjs/common';
import {
  parseTokenContent,
  readSeconds,
  readText,
  rejectUnknownFields,
  requireObject,
  MAX_TOKEN_LIFETIME_SECONDS,
  TENANT_SHORTCODE_PATTERN,
  type AuthenticatedApiKey,
  type MintedToken,
  type VerifiedAccessToken,
} from '@roomkey/contracts';
import { InvalidRequestError, InvalidTokenError } from '@roomkey/errors';
import { decodeJwt } from 'jose';
import { TokenSigner } from '../access-tokens/token-signer';
import { ApiKeyAuthenticator } from '../auth-throttle/api-key-authenticator';
import { KeyringCache } from '../key-cache/keyring-cache';
import { TokenVerifier } from '../verification/token-verifier.service';

/** The fields of a mint request (MintTokenRequest); anything else is refused. */
const MINT_REQUEST_FIELDS = ['tenant', 'ttlSeconds', 'claims'] as const;

/** What the issuer offers other roomkey services: API-key authentication, minting and verification. */
@Injectable()
export class InternalApiService {
  constructor(
    private readonly apiKeys: ApiKeyAuthenticator,
    private readonly keyrings: KeyringCache,
    private readonly signer: TokenSigner,
    private readonly verifier: TokenVerifier,
  ) {}

  async authenticateApiKey(request: unknown): Promise<AuthenticatedApiKey> {
    const body = requireObject(request);
    const secretGiven = body.secret !== undefined;
    const credential = await this.apiKeys.authenticate(body, { secretOptional: true });
    const { tenant } = await this.keyrings.forTenant(credential.tenant);
    return { apiKey: credential.apiKey, environment: credential.environment, secretVerified: secretGiven, tenant };
  }

  /**
   * IssuerRoutes.mintToken: `{tenant, ttlSeconds, claims}` from another roomkey service, which has
   * authorised the request. The claims are only what a caller may set (TokenContent): the issuer's
   * own claims (iss, tid, iat, exp, jti, perms), unknown claims and malformed ones are refused with
   * a 400 naming them before anything is signed.
   */
  async mint(request: unknown): Promise<MintedToken> {
    const body = requireObject(request);
    rejectUnknownFields(body, MINT_REQUEST_FIELDS);
    const tenant = body.tenant;
    if (typeof tenant !== 'string' || !TENANT_SHORTCODE_PATTERN.test(tenant)) {
      throw new InvalidRequestError("Field 'tenant' must be a tenant shortcode", 'tenant');
    }
    const ttlSeconds = readSeconds(body, 'ttlSeconds', MAX_TOKEN_LIFETIME_SECONDS);
    if (ttlSeconds === undefined) throw new InvalidRequestError("Field 'ttlSeconds' is required", 'ttlSeconds');
    if (body.claims === undefined || body.claims === null) throw new InvalidRequestError("Field 'claims' is required", 'claims');
    const content = parseTokenContent(body.claims, 'claims');
    const signed = await this.signer.sign(tenant, content, ttlSeconds);
    return { accessToken: signed.token, expiresIn: signed.expiresIn, expiresAt: signed.expiresAt, claims: signed.claims };
  }

  /** Verifies for the given tenant, or for the tenant the token names (its signature then proves it). */
  async verify(request: unknown): Promise<VerifiedAccessToken> {
    const body = requireObject(request);
    const token = readText(body, 'token', { max: 8192 });
    let tenant = body.tenant;
    if (tenant === undefined) {
      try {
        tenant = decodeJwt(token).tid;
      } catch {
        throw new InvalidTokenError('malformed');
      }
    }
    if (typeof tenant !== 'string' || !TENANT_SHORTCODE_PATTERN.test(tenant)) throw new InvalidTokenError('no tenant');
    return { claims: await this.verifier.verify(tenant, token) };
  }
}
