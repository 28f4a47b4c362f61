import { Inject, Injectable, Optional } from '@nestjs/common';
import type { IssuerConfig } from '@roomkey/config';
import { InvalidClientError, RateLimitedError, UnauthorizedError } from '@roomkey/errors';
import { ServiceMetrics } from '@roomkey/nats';
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
  /** Property-injected (the service's metrics); detached when the throttle is built alone. */
  @Optional() @Inject(ServiceMetrics) private readonly metrics: ServiceMetrics = ServiceMetrics.detached;

  constructor(
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    @Inject(ISSUER_CONFIG) private readonly config: IssuerConfig,
  ) {}

  async guard<T>(attempt: AuthenticationAttempt, authenticate: () => Promise<T>): Promise<T> {
    try {
      return await authenticate();
    } catch (error) {
      if (!isAuthenticationFailure(error)) throw error;
      this.metrics.authenticationFailed(attempt.scope === 'client' ? 'client' : 'api_key', attempt.id === '' ? 'missing_credentials' : 'invalid_credentials');
      const answer = await this.failed(attempt, error);
      if (answer instanceof RateLimitedError) this.metrics.rateLimited('authentication_failures');
      throw answer;
    }
  }

  /** Counts a failure; answers the 429 to throw when a limit is reached, else the failure itself. */
  private async failed(attempt: AuthenticationAttempt, failure: unknown): Promise<unknown> {
    const window = this.config.authFailureWindowSeconds;
    // A limit already reached is known from memory: no need to count against it in KV again.
    const count = async (scope: string, id: string | undefined, limit: number): Promise<number | undefined> => {
      if (!id) return undefined;
      return this.limiter.retryAfter(scope, id) ?? (await this.limiter.hit(scope, id, { limit, windowSeconds: window })).retryAfterSeconds;
    };
    const waits = (
      await Promise.all([
        count(attempt.scope, attempt.id, this.config.authFailuresPerIdentifier),
        count('address', attempt.address, this.config.authFailuresPerAddress),
      ])
    ).filter((w): w is number => w !== undefined);
    return waits.length > 0 ? this.limited(Math.max(...waits)) : failure;
  }

  private limited(seconds: number): RateLimitedError {
    return new RateLimitedError('Too many failed authentication attempts; try again later', seconds);
  }
}
