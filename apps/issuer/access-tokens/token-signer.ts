import { Inject, Injectable } from '@nestjs/common';
import { ACCESS_TOKEN_TYPE, DEFAULT_AUDIENCE, permissionsFor, type AccessTokenClaims, type MintableClaims } from '@roomkey/contracts';
import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { KeyringCache } from '../key-cache/keyring-cache';
import { CLOCK, type Clock } from '../ports';

export interface SignedToken {
  token: string;
  claims: AccessTokenClaims;
  expiresIn: number;
  expiresAt: string;
}

/** Signs RFC 9068 access tokens with the tenant's active key (imported once, cached). */
@Injectable()
export class TokenSigner {
  constructor(
    private readonly keyrings: KeyringCache,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** `jti` may be chosen by the caller when it must record the id before the token exists. */
  async sign(tenant: string, content: MintableClaims, ttlSeconds: number, jti: string = randomUUID()): Promise<SignedToken> {
    const keyring = await this.keyrings.forTenant(tenant);
    const iat = Math.floor(this.clock.now() / 1000);
    const claims: AccessTokenClaims = {
      iss: keyring.issuer,
      aud: DEFAULT_AUDIENCE,
      ...content,
      // The one place permissions are decided: the tenant's matrix, less what a development key may not grant.
      ...(content.role ? { perms: permissionsFor(content.role, content.env ?? 'production', keyring.tenant.roleMatrix) } : {}),
      iat,
      exp: iat + ttlSeconds,
      jti,
      tid: tenant,
    };
    const token = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: keyring.signer.alg, kid: keyring.signer.kid, typ: ACCESS_TOKEN_TYPE })
      .sign(keyring.signer.key);
    return { token, claims, expiresIn: ttlSeconds, expiresAt: new Date(claims.exp * 1000).toISOString() };
  }
}
