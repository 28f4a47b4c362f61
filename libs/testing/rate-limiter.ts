import type { HitResult, RateLimiter, RateLimitRule } from '@roomkey/nats';

/** Fixed windows in memory with the SharedRateLimiter's answers: a key over its limit is refused until its window ends. */
export class InMemoryRateLimiter implements RateLimiter {
  readonly windows = new Map<string, { start: number; count: number; limit: number; windowMs: number }>();

  constructor(private readonly clock: { now(): number }) {}

  retryAfter(scope: string, id: string): number | undefined {
    const state = this.windows.get(`${scope}/${id}`);
    if (!state || state.count <= state.limit) return undefined;
    const remaining = state.start + state.windowMs - this.clock.now();
    return remaining > 0 ? Math.ceil(remaining / 1000) : undefined;
  }

  async hit(scope: string, id: string, rule: RateLimitRule): Promise<HitResult> {
    const key = `${scope}/${id}`;
    const now = this.clock.now();
    const windowMs = rule.windowSeconds * 1000;
    const current = this.windows.get(key);
    const state =
      current && now - current.start < windowMs ? { ...current, count: current.count + 1 } : { start: now, count: 1, limit: rule.limit, windowMs };
    this.windows.set(key, state);
    if (state.count <= rule.limit) return { count: state.count };
    return { count: state.count, retryAfterSeconds: Math.max(1, Math.ceil((state.start + windowMs - now) / 1000)) };
  }

  /** Hits counted in `scope/id`'s current window. */
  count(scope: string, id: string): number {
    return this.windows.get(`${scope}/${id}`)?.count ?? 0;
  }

  /** Hits counted over every key. */
  total(): number {
    return [...this.windows.values()].reduce((sum, w) => sum + w.count, 0);
  }
}
