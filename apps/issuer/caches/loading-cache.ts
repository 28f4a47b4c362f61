/**
 * An in-memory cache of loads in flight or done, kept fresh by invalidation (events), bounded in
 * size. Storing the promise itself means a load that raced an invalidation is never kept: the
 * invalidation removed it from the map.
 */
export class LoadingCache<K, V> {
  private readonly entries = new Map<K, Promise<V>>();

  constructor(
    private readonly load: (key: K) => Promise<V>,
    private readonly maxEntries = 100_000,
  ) {}

  get(key: K): Promise<V> {
    const cached = this.entries.get(key);
    if (cached) return cached;
    const loading = this.load(key);
    this.entries.set(key, loading);
    if (this.entries.size > this.maxEntries) {
      // Evict the oldest insertion (Map keeps insertion order).
      this.entries.delete(this.entries.keys().next().value as K);
    }
    // A failed load is not cached: the next caller tries again.
    loading.catch(() => {
      if (this.entries.get(key) === loading) this.entries.delete(key);
    });
    return loading;
  }

  invalidate(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
