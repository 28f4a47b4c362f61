import type { RequestContext } from '@roomkey/nats';

/** How often a cache answered from memory (hits) and had to load (misses). */
export interface CacheLookups {
  hits: number;
  misses: number;
}

/**
 * An in-memory cache of loads in flight or done, kept fresh by invalidation (events), bounded in
 * size with least-recently-used eviction: a hit moves the entry to the end of the Map (which keeps
 * insertion order), so the first entry is always the one used longest ago. An evicted key is loaded
 * again on its next use. Storing the promise itself means a load that raced an invalidation is never
 * kept: the invalidation removed it from the map.
 */
export class LoadingCache<K, V> {
  private readonly entries = new Map<K, Promise<V>>();
  /** Hits and misses since start (two additions on the hot path; read at scrape time as metrics). */
  readonly lookups: CacheLookups = { hits: 0, misses: 0 };
  /** The key used last: a run of hits on one key (one busy tenant) skips the Map re-insertion. */
  private lastKey: K | undefined;

  constructor(
    /** `context`: the request that missed (a load shared by later callers still names the first). */
    private readonly load: (key: K, context: RequestContext) => Promise<V>,
    private readonly maxEntries = 100_000,
  ) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be 1 or more (got ${maxEntries})`);
  }

  get(key: K, context: RequestContext): Promise<V> {
    const cached = this.entries.get(key);
    if (cached) {
      this.lookups.hits++;
      if (key !== this.lastKey) {
        // Most recently used: move to the end.
        this.entries.delete(key);
        this.entries.set(key, cached);
        this.lastKey = key;
      }
      return cached;
    }
    this.lookups.misses++;
    const loading = this.load(key, context);
    this.entries.set(key, loading);
    this.lastKey = key;
    if (this.entries.size > this.maxEntries) {
      // Evict the least recently used (the first in the Map's order).
      this.entries.delete(this.entries.keys().next().value as K);
    }
    // A failed load is not cached: the next caller tries again.
    loading.catch(() => {
      if (this.entries.get(key) === loading) this.entries.delete(key);
    });
    return loading;
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  invalidate(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
