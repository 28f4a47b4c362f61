import { CompareAndSetStore, type Versioned } from '@roomkey/nats';

/**
 * Values in a Map with per-key revisions and the same compare-and-set contract as a KV bucket.
 * Values are copied in and out, and every call yields to the event loop first, so concurrent
 * callers interleave as they would on NATS.
 */
export class InMemoryVersionedStore<T> extends CompareAndSetStore<T> {
  readonly entries = new Map<string, Versioned<T>>();
  private revision = 0;
  /** Makes the next `update` calls lose the race (as if another replica wrote first). */
  conflictsToInject = 0;
  /** Successful writes, for assertions that nothing was written. */
  writes = 0;

  async create(key: string, value: T): Promise<boolean> {
    await Promise.resolve();
    if (this.entries.has(key)) return false;
    this.entries.set(key, { value: structuredClone(value), revision: ++this.revision });
    this.writes++;
    return true;
  }

  async get(key: string): Promise<Versioned<T> | null> {
    await Promise.resolve();
    const stored = this.entries.get(key);
    return stored ? structuredClone(stored) : null;
  }

  async update(key: string, value: T, revision: number): Promise<boolean> {
    await Promise.resolve();
    const current = this.entries.get(key);
    if (this.conflictsToInject > 0) {
      this.conflictsToInject--;
      if (current) current.revision = ++this.revision; // someone else wrote: the caller's revision is stale
      return false;
    }
    if (!current || current.revision !== revision) return false;
    this.entries.set(key, { value: structuredClone(value), revision: ++this.revision });
    this.writes++;
    return true;
  }

  /** The single stored value (fails when there are none or several). */
  only(): T {
    if (this.entries.size !== 1) throw new Error(`expected one value, found ${this.entries.size}`);
    return [...this.entries.values()][0].value;
  }
}
