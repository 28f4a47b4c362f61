import { Inject, Injectable, Optional } from '@nestjs/common';
import type { IssuerConfig } from '@roomkey/config';
import { errorLog, InvalidClientError, RateLimitedError, UnauthorizedError } from '@roomkey/errors';
import { AuditEvents, ServiceMetrics, type EventSink, type RequestContext } from '@roomkey/nats';
import { ClientCache } from '../oauth/client-cache';
import { EVENT_PUBLISHER, ISSUER_CONFIG, RATE_LIMITER, type RateLimiter } from '../ports';
import { CredentialCache } from './credential-cache';

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
  /** Audit trail (property-injected): where auth events go, and where an identifier's tenant is found. */
  @Optional() @Inject(EVENT_PUBLISHER) private readonly events?: EventSink;
  @Optional() @Inject(CredentialCache) private readonly credentials?: CredentialCache;
  @Optional() @Inject(ClientCache) private readonly clients?: ClientCache;
  private auditEvents?: AuditEvents;

  private get audit(): AuditEvents | undefined {
    if (this.events && !this.auditEvents) this.auditEvents = new AuditEvents(this.events);
    return this.auditEvents;
  }

  constructor(
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    @Inject(ISSUER_CONFIG) private readonly config: IssuerConfig,
  ) {}

  /** `context`: the request authenticating (the audit lines name its id). */
  async guard<T>(attempt: AuthenticationAttempt, context: RequestContext, authenticate: () => Promise<T>): Promise<T> {
    try {
      return await authenticate();
    } catch (error) {
      if (!isAuthenticationFailure(error)) throw error;
      this.metrics.authenticationFailed(attempt.scope === 'client' ? 'client' : 'api_key', attempt.id === '' ? 'missing_credentials' : 'invalid_credentials');
      const answer = await this.failed(attempt, error, context);
      if (answer instanceof RateLimitedError) this.metrics.rateLimited('authentication_failures');
      throw answer;
    }
  }

  /** Counts a failure; answers the 429 to throw when a limit is reached, else the failure itself. */
  private async failed(attempt: AuthenticationAttempt, failure: unknown, context: RequestContext): Promise<unknown> {
    const window = this.config.authFailureWindowSeconds;
    // A limit already reached is known from memory: no need to count against it in KV again.
    const count = async (scope: string, id: string | undefined, limit: number): Promise<number | undefined> => {
      if (!id) return undefined;
      return this.limiter.retryAfter(scope, id) ?? (await this.limiter.hit(scope, id, { limit, windowSeconds: window })).retryAfterSeconds;
    };
    const [identifierWait, addressWait] = await Promise.all([
      count(attempt.scope, attempt.id, this.config.authFailuresPerIdentifier),
      count('address', attempt.address, this.config.authFailuresPerAddress),
    ]);
    const waits = [identifierWait, addressWait].filter((w): w is number => w !== undefined);
    if (waits.length === 0) {
      void this.recordFailure(attempt, failure, context);
      return failure;
    }
    const wait = Math.max(...waits);
    void this.recordThrottling(attempt, identifierWait !== undefined ? WHAT[attempt.scope] : 'address', wait, context);
    return this.limited(wait);
  }

  /**
   * Audit trail: the failure logged at info (which identifier, which address, why; never the
   * secret) and published as auth.failed under the identifier's tenant, at most one a second per
   * identifier, without the request waiting. An identifier of no tenant is logged only.
   */
  private async recordFailure(attempt: AuthenticationAttempt, failure: unknown, context: RequestContext): Promise<void> {
    const actor = attempt.id || 'anonymous';
    const tenant = await this.tenantOf(attempt, context);
    const reason = reasonOf(attempt, failure, tenant !== undefined);
    const fields = { actor, credential: attempt.scope, reason, ...(attempt.address !== undefined ? { address: attempt.address } : {}) };
    errorLog.write('info', `Authentication failed: ${reason}`, { audit: 'auth.failed', ...fields, tenant }, context);
    if (tenant !== undefined) this.audit?.publish(tenant, 'auth.failed', fields, `${attempt.scope} ${actor}`, context);
  }

  /** A 429: logged at warn, and published as auth.throttled once per block of that identifier. */
  private async recordThrottling(attempt: AuthenticationAttempt, limit: string, retryAfterSeconds: number, context: RequestContext): Promise<void> {
    const actor = attempt.id || 'anonymous';
    const tenant = await this.tenantOf(attempt, context);
    const fields = { actor, limit, retryAfterSeconds, ...(attempt.address !== undefined ? { address: attempt.address } : {}) };
    errorLog.write('warn', `Authentication throttled: too many failures per ${limit}; refused for ${retryAfterSeconds} s`, {
      audit: 'auth.throttled',
      ...fields,
      tenant,
    }, context);
    if (tenant !== undefined) this.audit?.publish(tenant, 'auth.throttled', fields, `${attempt.scope} ${actor} ${limit}`, context, retryAfterSeconds * 1000);
  }

  /** The tenant of the identifier tried, when there is one (from memory after the failed attempt). */
  private async tenantOf(attempt: AuthenticationAttempt, context: RequestContext): Promise<string | undefined> {
    if (!attempt.id) return undefined;
    try {
      if (attempt.scope === 'client') return (await this.clients?.find(attempt.id, context))?.tenant ?? undefined;
      return (await this.credentials?.lookup(attempt.id, context))?.tenant;
    } catch {
      return undefined;
    }
  }

  private limited(seconds: number): RateLimitedError {
    return new RateLimitedError('Too many failed authentication attempts; try again later', seconds);
  }
}

const WHAT: Record<AuthenticationAttempt['scope'], string> = { 'api-key': 'API key', client: 'client id' };

/** Why, in words: the caller's sentence is one for all cases on purpose; the log may say more. */
function reasonOf(attempt: AuthenticationAttempt, failure: unknown, known: boolean): string {
  const message = failure instanceof Error ? failure.message : String(failure);
  if (!attempt.id || /^Missing|required/.test(message)) return message;
  if (!known) return `unknown or revoked ${WHAT[attempt.scope]}`;
  if (message === 'Invalid API key or secret' || message === 'Client authentication failed') return `wrong secret for the ${WHAT[attempt.scope]}`;
  return message;
}
