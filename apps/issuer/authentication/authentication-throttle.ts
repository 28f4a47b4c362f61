import { Inject, Injectable } from '@nestjs/common';
import type { IssuerConfig } from '@roomkey/config';
import { InvalidClientError, RateLimitedError, UnauthorizedError } from '@roomkey/errors';
import { ISSUER_CONFIG, RATE_LIMITER, type RateLimiter } from '../ports';

export interface AuthenticationAttempt {
  /** 'api-key' or 'client': what kind of identifier is authenticating. */
  scope: 'api-key' | 'client';
  id: string;
  /** The caller's address (from the gateway); NATS callers have none. */
  address?: string;
}

const isAuthenticationFailure = (error: unknown) => error instanceof UnauthorizedError || error instanceof InvalidClientError;

/**
 * Brute-force protection (contract §4): failed authentications are counted per identifier and per
 * address across all replicas. Only failures are throttled, never an address as such: a request
 * whose credentials are right passes even from an address (or for a key) over its limit, so a
 * client is never slowed by someone else's failures; a wrong secret from there gets 429 instead of
 * 401 until the window passes. Secrets are high-entropy and checked with one keyed hash, so
 * checking before refusing costs nothing an attacker could use.
 */
@Injectable()
export class AuthenticationThrottle {
  constructor(
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    @Inject(ISSUER_CONFIG) private readonly config: IssuerConfig,
  ) {}

  async guard<T>(attempt: AuthenticationAttempt, authenticate: () => Promise<T>): Promise<T> {
    try {
      return await authenticate();
    } catch (error) {
      if (!isAuthenticationFailure(error)) throw error;
      throw await this.failed(attempt, error);
    }
  }

  /** Counts a failure; answers the 429 to throw when a limit is reached, else the failure itself. */
  private async failed(attempt: AuthenticationAttempt, failure: unknown): Promise<unknown> {
    // Already refused from memory: no need to count in KV again.
    const known = [
      attempt.address ? this.limiter.retryAfter('address', attempt.address) : undefined,
      attempt.id ? this.limiter.retryAfter(attempt.scope, attempt.id) : undefined,
    ].filter((w): w is number => w !== undefined);
    if (known.length > 0) return this.limited(Math.max(...known));
    const window = this.config.authFailureWindowSeconds;
    const hits = await Promise.all([
      attempt.id ? this.limiter.hit(attempt.scope, attempt.id, { limit: this.config.authFailuresPerIdentifier, windowSeconds: window }) : undefined,
      attempt.address ? this.limiter.hit('address', attempt.address, { limit: this.config.authFailuresPerAddress, windowSeconds: window }) : undefined,
    ]);
    const waits = hits.map((h) => h?.retryAfterSeconds).filter((w): w is number => w !== undefined);
    return waits.length > 0 ? this.limited(Math.max(...waits)) : failure;
  }

  private limited(seconds: number): RateLimitedError {
    return new RateLimitedError('Too many failed authentication attempts; try again later', seconds);
  }
}
