/**
 * Fixed-window counters shared by every replica, kept in a JetStream KV bucket and updated with
 * compare-and-set (`modify`), so N replicas together allow the limit, not N times it. A key that reaches its
 * limit is announced to all replicas, which then refuse it from memory until the window ends.
 */
import type { KV } from '@nats-io/kv';
import type { KvBucketName } from '@roomkey/contracts';
import type { JetStreamStorage } from './jetstream-storage';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { createHash } from 'node:crypto';
import { ContentionError, KvVersionedStore } from './versioned-store';

export interface RateLimitRule {
  /** Hits allowed per window. */
  limit: number;
  windowSeconds: number;
}

export interface HitResult {
  count: number;
  /** Set once the key is over its limit: seconds until the window ends. */
  retryAfterSeconds?: number;
}

interface WindowState {
  start: number;
  count: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** KV keys allow [-/_=.a-zA-Z0-9]: identifiers (IPv6 addresses, API keys) are hashed into that alphabet. */
function hashId(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

function kvKey(scope: string, id: string): string {
  return `${scope}.${hashId(id)}`;
}

/** What services depend on (unit tests bind an in-memory one): memory-only check, counted hit. */
export interface RateLimiter {
  retryAfter(scope: string, id: string): number | undefined;
  hit(scope: string, id: string, rule: RateLimitRule): Promise<HitResult>;
}

export class SharedRateLimiter implements RateLimiter {
  /** key → epoch ms until which it is refused, learned from our own hits or from other replicas. */
  private readonly blocked = new Map<string, number>();
  private readonly scopes = new Map<string, KvVersionedStore<WindowState>>();
  private subscription?: Subscription;

  private constructor(
    private readonly connection: NatsConnection,
    private readonly kv: KV,
    private readonly noticeSubject: string,
    private readonly now: () => number,
  ) {}

  /**
   * Opens (or creates) the bucket and listens for block notices on `noticeSubject` (a plain
   * subscription: every replica must hear every notice).
   */
  static async open(
    connection: NatsConnection,
    storage: JetStreamStorage,
    options: { bucket: KvBucketName; noticeSubject: string; maxWindowSeconds: number; now?: () => number },
  ): Promise<SharedRateLimiter> {
    const kv = await storage.openBucket(options.bucket, options.maxWindowSeconds * 1000);
    const limiter = new SharedRateLimiter(connection, kv, options.noticeSubject, options.now ?? Date.now);
    limiter.subscription = connection.subscribe(options.noticeSubject, {
      callback: (error, message) => {
        if (error) return;
        try {
          const { key, until } = JSON.parse(decoder.decode(message.data)) as { key: string; until: number };
          limiter.block(key, until);
        } catch {
          // ignore malformed notices
        }
      },
    });
    return limiter;
  }

  /** Seconds to wait when `scope/id` is refused right now, from memory only (no I/O on the hot path). */
  retryAfter(scope: string, id: string): number | undefined {
    // Checked on every authentication: skip hashing the identifier while nothing is blocked.
    if (this.blocked.size === 0) return undefined;
    const key = kvKey(scope, id);
    const until = this.blocked.get(key);
    if (until === undefined) return undefined;
    const remaining = until - this.now();
    if (remaining <= 0) {
      this.blocked.delete(key);
      return undefined;
    }
    return Math.ceil(remaining / 1000);
  }

  /** Counts one hit for `scope/id` in its window; over the limit, blocks it on every replica. */
  async hit(scope: string, id: string, rule: RateLimitRule): Promise<HitResult> {
    const key = kvKey(scope, id);
    const windowMs = rule.windowSeconds * 1000;
    let now = this.now();
    let state: WindowState;
    try {
      const { after } = await this.windows(scope).modify(hashId(id), (current) => {
        now = this.now();
        return current && now - current.start < windowMs ? { start: current.start, count: current.count + 1 } : { start: now, count: 1 };
      });
      state = after!;
    } catch (error) {
      if (!(error instanceof ContentionError)) throw error;
      // Heavy contention on one key: treat as over the limit rather than let it through uncounted.
      return { count: rule.limit + 1, retryAfterSeconds: rule.windowSeconds };
    }
    if (state.count <= rule.limit) return { count: state.count };
    const until = state.start + windowMs;
    if (state.count === rule.limit + 1) {
      this.connection.publish(this.noticeSubject, encoder.encode(JSON.stringify({ key, until })));
    }
    this.block(key, until);
    return { count: state.count, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) };
  }

  /** The windows of one scope, keyed `{scope}.{hash}` in the bucket. */
  private windows(scope: string): KvVersionedStore<WindowState> {
    let store = this.scopes.get(scope);
    if (!store) this.scopes.set(scope, (store = new KvVersionedStore<WindowState>(this.kv, scope)));
    return store;
  }

  private block(key: string, until: number): void {
    if (until > this.now() && (this.blocked.get(key) ?? 0) < until) this.blocked.set(key, until);
  }

  close(): void {
    this.subscription?.unsubscribe();
  }
}
