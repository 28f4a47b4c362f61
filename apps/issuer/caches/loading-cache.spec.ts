import { LoadingCache } from './loading-cache';
import { NO_REQUEST } from '@roomkey/nats';

function counting(maxEntries: number) {
  const loads: string[] = [];
  const cache = new LoadingCache<string, string>(async (key) => {
    loads.push(key);
    return `value of ${key}`;
  }, maxEntries);
  return { cache, loads };
}

describe('LoadingCache', () => {
  it('loads a key once and serves it from memory after that', async () => {
    const { cache, loads } = counting(10);
    await expect(cache.get('a', NO_REQUEST)).resolves.toBe('value of a');
    await expect(cache.get('a', NO_REQUEST)).resolves.toBe('value of a');
    expect(loads).toEqual(['a']);
  });

  it('evicts the least recently used key, not the oldest inserted, once full', async () => {
    const { cache, loads } = counting(3);
    await cache.get('a', NO_REQUEST);
    await cache.get('b', NO_REQUEST);
    await cache.get('c', NO_REQUEST);
    await cache.get('a', NO_REQUEST); // a is now the most recently used: b is the least
    await cache.get('d', NO_REQUEST);
    expect(cache.size).toBe(3);
    expect(cache.has('b')).toBe(false);
    expect(cache.has('a')).toBe(true);
    await cache.get('a', NO_REQUEST);
    await cache.get('c', NO_REQUEST);
    expect(loads).toEqual(['a', 'b', 'c', 'd']);
    // An evicted key is loaded again on its next use.
    await cache.get('b', NO_REQUEST);
    expect(loads).toEqual(['a', 'b', 'c', 'd', 'b']);
    expect(cache.has('d')).toBe(false); // a and c were used after d
  });

  it('keeps the order right when one key is used many times in a row', async () => {
    const { cache } = counting(2);
    await cache.get('a', NO_REQUEST);
    await cache.get('b', NO_REQUEST);
    await cache.get('b', NO_REQUEST);
    await cache.get('a', NO_REQUEST);
    await cache.get('a', NO_REQUEST);
    await cache.get('c', NO_REQUEST);
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
  });

  it('holds at most one entry with a size of 1', async () => {
    const { cache, loads } = counting(1);
    await cache.get('a', NO_REQUEST);
    await cache.get('b', NO_REQUEST);
    await cache.get('b', NO_REQUEST);
    await cache.get('a', NO_REQUEST);
    expect(cache.size).toBe(1);
    expect(loads).toEqual(['a', 'b', 'a']);
  });

  it('shares a load in flight and forgets a failed one', async () => {
    let attempts = 0;
    const cache = new LoadingCache<string, number>(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('keys service away');
      return attempts;
    }, 10);
    const [first, second] = [cache.get('a', NO_REQUEST), cache.get('a', NO_REQUEST)];
    await expect(first).rejects.toThrow('keys service away');
    await expect(second).rejects.toThrow('keys service away');
    expect(cache.has('a')).toBe(false);
    await expect(cache.get('a', NO_REQUEST)).resolves.toBe(2);
  });

  it('drops a key on invalidation and everything on clear', async () => {
    const { cache, loads } = counting(10);
    await cache.get('a', NO_REQUEST);
    await cache.get('b', NO_REQUEST);
    cache.invalidate('a');
    await cache.get('a', NO_REQUEST);
    await cache.get('b', NO_REQUEST);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(loads).toEqual(['a', 'b', 'a']);
  });

  it('rejects a size below 1', () => {
    expect(() => new LoadingCache(async () => 1, 0)).toThrow(RangeError);
  });
});
