/**
 * In-memory stand-ins for the identity service's ports, for unit tests only (the integration tests
 * run the real issuer, NATS KV and JetStream). The clock, event sink, rate limiter and invite store
 * are the shared ones from @roomkey/testing.
 */
import {
  DEFAULT_AUDIENCE,
  type AccessTokenClaims,
  type AuthenticateApiKeyRequest,
  type AuthenticatedApiKey,
  type Environment,
  type MintTokenRequest,
  type MintedToken,
  type TenantView, DEFAULT_ROLE_MATRIX, permissionsFor } from '@roomkey/contracts';
import { InvalidTokenError, UnauthorizedError, UnavailableError } from '@roomkey/errors';
import type { Clock, IssuerClient } from '../ports';

export function tenantView(shortcode: string, switches: Partial<Pick<TenantView, 'guestAccess' | 'anonymousAccess'>> = {}): TenantView {
  return {
    shortcode,
    name: `Tenant ${shortcode}`,
    loginUrl: null,
    roleMatrix: DEFAULT_ROLE_MATRIX,
    guestAccess: false,
    anonymousAccess: false,
    signingAlg: 'ES256',
    createdAt: new Date(0).toISOString(),
    ...switches,
  };
}

interface FakeKey {
  secret: string;
  environment: Environment;
  tenant: TenantView;
}

/** Authenticates registered keys, "mints" by echoing the claims, and verifies registered tokens. */
export class FakeIssuer implements IssuerClient {
  readonly keys = new Map<string, FakeKey>();
  readonly tokens = new Map<string, AccessTokenClaims>();
  readonly minted: MintTokenRequest[] = [];
  readonly authentications: AuthenticateApiKeyRequest[] = [];
  /** The next mint calls fail with 503 while this is above 0. */
  failNextMints = 0;
  /** Each mint answers this many real milliseconds late (an issuer slowed by an election). */
  mintDelayMs = 0;
  private counter = 0;

  constructor(private readonly clock: Clock) {}

  addKey(apiKey: string, key: FakeKey): void {
    this.keys.set(apiKey, key);
  }

  /** A token the fake verifies, with claims as a HOST of `tenant` would have them. */
  addToken(token: string, claims: Partial<AccessTokenClaims> & { tid: string }): AccessTokenClaims {
    const iat = Math.floor(this.clock.now() / 1000);
    const full: AccessTokenClaims = {
      iss: `http://roomkey.test/realms/${claims.tid}`,
      sub: 'host-1',
      aud: DEFAULT_AUDIENCE,
      iat,
      exp: iat + 3600,
      jti: `jti-${token}`,
      client_id: 'rk_prod_inviter',
      kind: 'user',
      ...claims,
    };
    this.tokens.set(token, full);
    return full;
  }

  async authenticateApiKey(request: AuthenticateApiKeyRequest): Promise<AuthenticatedApiKey> {
    this.authentications.push(request);
    const key = this.keys.get(request.apiKey);
    if (request.secret === undefined) {
      if (!key) throw new UnauthorizedError('Invalid API key');
      return { apiKey: request.apiKey, environment: key.environment, secretVerified: false, tenant: key.tenant };
    }
    if (!key || key.secret !== request.secret) throw new UnauthorizedError('Invalid API key or secret');
    return { apiKey: request.apiKey, environment: key.environment, secretVerified: true, tenant: key.tenant };
  }

  async mint(request: MintTokenRequest): Promise<MintedToken> {
    if (this.mintDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.mintDelayMs));
    if (this.failNextMints > 0) {
      this.failNextMints--;
      throw new UnavailableError('The issuer service did not answer in time');
    }
    this.minted.push(request);
    const iat = Math.floor(this.clock.now() / 1000);
    const claims = {
      iss: `http://roomkey.test/realms/${request.tenant}`,
      aud: DEFAULT_AUDIENCE,
      ...request.claims,
      // As the issuer's signer does: permissions come from the role (default matrix here).
      ...(request.claims.role ? { perms: permissionsFor(request.claims.role, request.claims.env ?? 'production') } : {}),
      iat,
      exp: iat + request.ttlSeconds,
      jti: `jti-${++this.counter}`,
      tid: request.tenant,
    } as AccessTokenClaims;
    return { accessToken: `token-${this.counter}`, expiresIn: request.ttlSeconds, expiresAt: new Date(claims.exp * 1000).toISOString(), claims };
  }

  async verify(token: string): Promise<AccessTokenClaims> {
    const claims = this.tokens.get(token);
    if (!claims || claims.exp * 1000 <= this.clock.now()) throw new InvalidTokenError();
    return claims;
  }
}
