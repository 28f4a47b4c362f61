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
 * address across all replicas. An address over its limit is refused before anything else; an
 * identifier over its limit gets 429 instead of 401 for wrong secrets, while the right secret still
 * passes, so a client is never slowed by someone else's failures.
 */
@Injectable()
export class AuthenticationThrottle {
  constructor(
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    @Inject(ISSUER_CONFIG) private readonly config: IssuerConfig,
  ) {}

  async guard<T>(attempt: AuthenticationAttempt, authenticate: () => Promise<T>): Promise<T> {
    const window = this.config.authFailureWindowSeconds;
    if (attempt.address) {
      const wait = this.limiter.retryAfter('address', attempt.address);
      if (wait !== undefined) throw this.limited(wait);
    }
    try {
      return await authenticate();
    } catch (error) {
      if (!isAuthenticationFailure(error) || attempt.id === '') throw error;
      const hits = await Promise.all([
        this.limiter.hit(attempt.scope, attempt.id, { limit: this.config.authFailuresPerIdentifier, windowSeconds: window }),
        attempt.address ? this.limiter.hit('address', attempt.address, { limit: this.config.authFailuresPerAddress, windowSeconds: window }) : undefined,
      ]);
      const waits = hits.map((h) => h?.retryAfterSeconds).filter((w): w is number => w !== undefined);
      if (waits.length > 0) throw this.limited(Math.max(...waits));
      throw error;
    }
  }

  private limited(seconds: number): RateLimitedError {
    return new RateLimitedError('Too many failed authentication attempts; try again later', seconds);
  }
}
