import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  DEFAULT_AUDIENCE,
  DEFAULT_CLAIM_PROFILE,
  PLATFORM_NAMES,
  parseTokenContent,
  permissionsFor,
  profileClaims,
  type AccessTokenClaims,
  type ClaimProfile,
  type MediaPlatform,
  type TokenContent,
} from '@roomkey/contracts';
import { InvalidRequestError } from '@roomkey/errors';
import { ServiceMetrics, type RequestContext } from '@roomkey/nats';
import { randomUUID } from 'node:crypto';
import { KeyringCache, type Keyring, type MediaPlatformCredentials } from './keyring-cache';
import { CLOCK, REVOCATION_CUTOFFS, type Clock, type RevocationCutoffs } from '../ports';

/** What asked for a token (the `grant` label of roomkey_tokens_issued_total). */
export type TokenGrant = 'api_key' | 'client_credentials' | 'authorization_code' | 'refresh_token' | 'token_exchange' | 'mint';

export interface SignOptions {
  /** Chosen by the issuer when it must record the id before the token exists. */
  jti?: string;
  /** The token's shape (contract §3.1); default `roomkey`. */
  profile?: ClaimProfile;
}

export interface SignedToken {
  /** The token: roomkey's own, or the media platform's shape for a claim profile. */
  token: string;
  /** roomkey's claims the token was made from (a profile token carries the same jti, iat and exp). */
  claims: AccessTokenClaims;
  profile: ClaimProfile;
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
 *
 * A claim profile is another output shape of the same builder: the roomkey claims are made and
 * checked exactly as above (role, the tenant's matrix, the key's environment, rooms, lifetime), then
 * mapped to the platform's claims by the one table in `@roomkey/contracts` (profiles.ts) and signed
 * HS256 with the tenant's stored secret for that platform.
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
   * keyring load names it); `options.jti` may be chosen by the issuer when it must record the id
   * before the token exists; `options.profile` renders the token in a media platform's shape.
   */
  async sign(tenant: string, requested: TokenContent, ttlSeconds: number, grant: TokenGrant, context: RequestContext, options: SignOptions = {}): Promise<SignedToken> {
    const { jti = randomUUID(), profile = DEFAULT_CLAIM_PROFILE } = options;
    const { keyring, claims } = await this.build(tenant, requested, ttlSeconds, jti, context);
    const token = profile === 'roomkey' ? keyring.signer.sign(claims) : this.platformToken(keyring, tenant, claims, profile);
    this.metrics.tokenIssued(claims.kind, grant);
    return { token, claims, profile, expiresIn: ttlSeconds, expiresAt: new Date(claims.exp * 1000).toISOString() };
  }

  /**
   * Refuses now, with the same 400s, what signing this content with `profile` would refuse later:
   * a login accepted with a profile gets its answer before the client redeems the code.
   */
  async checkProfile(tenant: string, requested: TokenContent, profile: ClaimProfile, context: RequestContext): Promise<void> {
    if (profile === 'roomkey') return;
    const { keyring, claims } = await this.build(tenant, requested, 1, randomUUID(), context);
    this.platformClaims(keyring, tenant, claims, profile);
  }

  private async build(tenant: string, requested: TokenContent, ttlSeconds: number, jti: string, context: RequestContext): Promise<{ keyring: Keyring; claims: AccessTokenClaims }> {
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
    return { keyring, claims };
  }

  private platformClaims(keyring: Keyring, tenant: string, claims: AccessTokenClaims, platform: MediaPlatform): { credentials: MediaPlatformCredentials; payload: object } {
    const credentials = keyring.mediaPlatforms.get(platform);
    if (!credentials) {
      throw new InvalidRequestError(
        `Profile '${platform}' is not configured for tenant '${tenant}': store its ${PLATFORM_NAMES[platform]} credentials with PUT /admin/tenants/${tenant}/media-platforms/${platform}`,
        'profile',
      );
    }
    return { credentials, payload: profileClaims(platform, claims, credentials) };
  }

  private platformToken(keyring: Keyring, tenant: string, claims: AccessTokenClaims, platform: MediaPlatform): string {
    const { credentials, payload } = this.platformClaims(keyring, tenant, claims, platform);
    return credentials.signer.sign(payload);
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
