import { Inject, Injectable, Optional } from '@nestjs/common';
import type { IdentityConfig } from '@roomkey/config';
import { readText, type ApiCaller, type Environment, type TenantView } from '@roomkey/contracts';
import { errorLog, ForbiddenError, RateLimitedError, UnauthorizedError } from '@roomkey/errors';
import { AuditEvents, ServiceMetrics, type EventSink, type RequestContext } from '@roomkey/nats';
import { EVENT_SINK, IDENTITY_CONFIG, ISSUER_CLIENT, RATE_LIMITER, type IssuerClient, type RateLimiter } from '../ports';

/** Which tenant switch lets an API key alone (no secret) ask for a token. */
export type KeyOnlyAccess = 'guest' | 'anonymous';

/** Who asked: the API key, its environment and tenant, and how it authenticated. */
export interface ApiKeyCaller {
  apiKey: string;
  environment: Environment;
  tenant: TenantView;
  /** False when the request carried the API key alone (HTTP X-Api-Key). */
  secretVerified: boolean;
  clientAddress?: string;
}

/** Fixed one-minute windows, as the limits are configured per minute. */
export const RATE_LIMIT_WINDOW_SECONDS = 60;
const ADDRESS_SCOPE = 'key-only.address';
const TENANT_SCOPE = 'key-only.tenant';
const MAX_ADDRESS_LENGTH = 100;

const SWITCHES: Record<KeyOnlyAccess, { field: 'guestAccess' | 'anonymousAccess'; what: string }> = {
  guest: { field: 'guestAccess', what: 'Guest' },
  anonymous: { field: 'anonymousAccess', what: 'Anonymous' },
};

/**
 * Authenticates guest and anonymous requests: an API key with its secret, or (when the tenant's
 * switch is on) the API key alone, which is then rate-limited per client address and per tenant.
 */
@Injectable()
export class KeyAccess {
  /** Property-injected (the service's metrics); detached when built alone. */
  @Optional() @Inject(ServiceMetrics) private readonly metrics: ServiceMetrics = ServiceMetrics.detached;

  private readonly audit?: AuditEvents;

  constructor(
    @Inject(ISSUER_CLIENT) private readonly issuer: IssuerClient,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    @Inject(IDENTITY_CONFIG) private readonly config: Pick<IdentityConfig, 'guestRateLimitPerAddress' | 'guestRateLimitPerTenant'>,
    @Optional() @Inject(EVENT_SINK) events?: EventSink,
  ) {
    if (events) this.audit = new AuditEvents(events);
  }

  /** 401 for missing or wrong credentials; 403 for a key-only request the tenant does not allow. */
  async authenticate(caller: ApiCaller, access: KeyOnlyAccess, context: RequestContext): Promise<ApiKeyCaller> {
    const { apiKey, secret } = caller;
    if (typeof apiKey !== 'string' || apiKey === '') {
      this.metrics.authenticationFailed('api_key', 'missing_credentials');
      throw new UnauthorizedError('Missing credentials: send your API key and secret, or the API key alone where the tenant allows it');
    }
    // Callers built outside splitCaller (tests, other services) are checked as strictly.
    if (secret !== undefined && typeof secret !== 'string') throw new UnauthorizedError('Invalid API key or secret');
    const clientAddress = readText(caller, 'clientAddress', { max: MAX_ADDRESS_LENGTH, optional: true });

    const authenticated = await this.issuer.authenticateApiKey({
      apiKey,
      ...(secret !== undefined ? { secret } : {}),
      ...(clientAddress !== undefined ? { clientAddress } : {}),
    }, context);
    const authenticatedCaller: ApiKeyCaller = {
      apiKey: authenticated.apiKey,
      environment: authenticated.environment,
      tenant: authenticated.tenant,
      secretVerified: authenticated.secretVerified,
      ...(clientAddress !== undefined ? { clientAddress } : {}),
    };
    if (!authenticatedCaller.secretVerified) {
      const { field, what } = SWITCHES[access];
      if (!authenticatedCaller.tenant[field]) {
        this.metrics.authenticationFailed('api_key', `${access}_access_off`);
        throw new ForbiddenError(
          `${what} access is off for tenant '${authenticatedCaller.tenant.shortcode}': authenticate with the API key and its secret ` +
            `(HTTP Basic), or have an administrator turn ${field} on`,
        );
      }
    }
    return authenticatedCaller;
  }

  /**
   * Counts a valid key-only request against the per-address and per-tenant limits (requests with
   * a secret are not limited here); 429 with the seconds to wait when over. Call it once the
   * request has passed validation, so that a rejected request moves no counter.
   */
  async admit(caller: ApiKeyCaller, context: RequestContext): Promise<void> {
    if (caller.secretVerified) return;
    const checks: Array<{ scope: string; id: string; limit: number; what: string; metric: string }> = [];
    if (caller.clientAddress !== undefined && this.config.guestRateLimitPerAddress > 0) {
      checks.push({ scope: ADDRESS_SCOPE, id: caller.clientAddress, limit: this.config.guestRateLimitPerAddress, what: 'from this address', metric: 'key_only_per_address' });
    }
    if (this.config.guestRateLimitPerTenant > 0) {
      checks.push({ scope: TENANT_SCOPE, id: caller.tenant.shortcode, limit: this.config.guestRateLimitPerTenant, what: 'for this tenant', metric: 'key_only_per_tenant' });
    }
    // Refuse from memory first when a replica already announced the block: no counter moves then.
    for (const check of checks) {
      const wait = this.limiter.retryAfter(check.scope, check.id);
      if (wait !== undefined) throw this.throttled(caller, check, wait, context);
    }
    for (const check of checks) {
      const hit = await this.limiter.hit(check.scope, check.id, { limit: check.limit, windowSeconds: RATE_LIMIT_WINDOW_SECONDS });
      if (hit.retryAfterSeconds !== undefined) throw this.throttled(caller, check, hit.retryAfterSeconds, context);
    }
  }

  /** Audit trail: every 429 logged at warn; auth.throttled published once per block (fire-and-forget). */
  private throttled(caller: ApiKeyCaller, check: { scope: string; limit: number; what: string; metric: string }, retryAfterSeconds: number, context: RequestContext): RateLimitedError {
    const tenant = caller.tenant.shortcode;
    const per = check.scope === ADDRESS_SCOPE ? 'address' : 'tenant';
    const fields = {
      actor: caller.apiKey,
      limit: `key-only ${per}`,
      retryAfterSeconds,
      ...(caller.clientAddress !== undefined ? { address: caller.clientAddress } : {}),
    };
    errorLog.write('warn', `Key-only access throttled ${check.what}: refused for ${retryAfterSeconds} s`, { audit: 'auth.throttled', ...fields, tenant }, context);
    const blocked = per === 'address' ? `address ${caller.clientAddress}` : per;
    this.audit?.publish(tenant, 'auth.throttled', fields, `${caller.apiKey} ${blocked}`, context, retryAfterSeconds * 1000);
    return this.limited(check, retryAfterSeconds);
  }

  private limited(check: { limit: number; what: string; metric: string }, retryAfterSeconds: number): RateLimitedError {
    this.metrics.rateLimited(check.metric);
    return new RateLimitedError(
      `Too many guest or anonymous tokens asked for with an API key alone ${check.what} ` +
        `(at most ${check.limit} a minute); try again in ${retryAfterSeconds} s or authenticate with the secret`,
      retryAfterSeconds,
    );
  }
}
