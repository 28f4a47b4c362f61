import { TokenProvider, expiryOf } from '../src/token-provider';
import { RoomkeyError } from '../src/errors';

/** An unsigned JWT-shaped token with this exp (TokenProvider only reads the payload). */
function jwt(expSeconds: number, extra: Record<string, unknown> = {}): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'ES256', typ: 'at+jwt' })}.${part({ exp: expSeconds, ...extra })}.c2ln`;
}

describe('TokenProvider (fake timers)', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  const nowSeconds = () => Math.floor(Date.now() / 1000);

  it('loads once, shares concurrent getToken calls, and refreshes before expiry', async () => {
    let loads = 0;
    const updated: string[] = [];
    const provider = new TokenProvider({ loader: async () => jwt(nowSeconds() + 100, { n: ++loads }), onTokenUpdated: (t) => updated.push(t) });
    const [a, b, c] = await Promise.all([provider.getToken(), provider.getToken(), provider.getToken()]);
    expect(loads).toBe(1);
    expect(a).toBe(b);
    expect(b).toBe(c);
    // Default: refresh once 80 % of the 100 s lifetime has passed, i.e. 20 s before exp.
    await jest.advanceTimersByTimeAsync(79_000);
    expect(loads).toBe(1);
    await jest.advanceTimersByTimeAsync(1_500);
    expect(loads).toBe(2);
    expect(updated).toHaveLength(2);
    expect(await provider.getToken()).toBe(updated[1]);
    provider.stop();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('honours refreshBeforeSeconds', async () => {
    let loads = 0;
    const provider = new TokenProvider({ loader: () => (loads++, jwt(nowSeconds() + 3600)), refreshBeforeSeconds: 60 });
    await provider.getToken();
    await jest.advanceTimersByTimeAsync(3_539_000);
    expect(loads).toBe(1);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(loads).toBe(2);
    provider.stop();
  });

  it('reports a throwing loader and a junk token through onError and backs off with jitter, never in a tight loop', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const provider = new TokenProvider({
      loader: () => {
        calls++;
        if (calls % 2) throw new Error('backend down');
        return 'not-a-jwt';
      },
      onError: (error) => errors.push(error),
      initialRetryDelayMs: 1000,
      maxRetryDelayMs: 16_000,
      random: () => 1,
    });
    await expect(provider.getToken()).rejects.toThrow('backend down');
    expect(calls).toBe(1);
    // Back-off with random() = 1: 1 s, 2 s, 4 s, 8 s, 16 s, 16 s …
    const expectCallsAfter = async (ms: number, expected: number) => {
      await jest.advanceTimersByTimeAsync(ms);
      expect(calls).toBe(expected);
    };
    await expectCallsAfter(999, 1);
    await expectCallsAfter(1, 2);
    await expectCallsAfter(1999, 2);
    await expectCallsAfter(1, 3);
    await expectCallsAfter(4000, 4);
    await expectCallsAfter(8000, 5);
    await expectCallsAfter(16_000, 6);
    await expectCallsAfter(16_000, 7);
    expect(errors).toHaveLength(7);
    expect(errors[1]).toBeInstanceOf(RoomkeyError);
    expect((errors[1] as RoomkeyError).message).toMatch(/not a JWT/);
    expect(provider.consecutiveFailures).toBe(7);
    provider.stop();
    await expectCallsAfter(60_000, 7);
  });

  it('jitter spreads retries between half and all of the back-off', async () => {
    let calls = 0;
    const provider = new TokenProvider({ loader: () => (calls++, Promise.reject(new Error('no'))), initialRetryDelayMs: 1000, random: () => 0, onError: () => undefined });
    await expect(provider.getToken()).rejects.toThrow('no');
    await jest.advanceTimersByTimeAsync(499);
    expect(calls).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
    provider.stop();
  });

  it('recovers after failures and then refreshes on schedule again', async () => {
    let fail = true;
    let loads = 0;
    const provider = new TokenProvider({ loader: () => (loads++, fail ? Promise.reject(new Error('x')) : jwt(nowSeconds() + 50)), onError: () => undefined, random: () => 1 });
    await expect(provider.getToken()).rejects.toThrow();
    fail = false;
    await jest.advanceTimersByTimeAsync(1000);
    expect(loads).toBe(2);
    expect(provider.consecutiveFailures).toBe(0);
    await expect(provider.getToken()).resolves.toMatch(/\./);
    await jest.advanceTimersByTimeAsync(40_000);
    expect(loads).toBe(3);
    provider.stop();
  });

  it('refuses a token that has already expired (back-off, not a loop)', async () => {
    let calls = 0;
    const provider = new TokenProvider({ loader: () => (calls++, jwt(nowSeconds() - 10)), onError: () => undefined, random: () => 1 });
    await expect(provider.getToken()).rejects.toThrow(/already expired/);
    await jest.advanceTimersByTimeAsync(2_900);
    expect(calls).toBe(2);
    provider.stop();
  });

  it('a throwing onTokenUpdated does not break it; getToken after stop rejects', async () => {
    const provider = new TokenProvider({
      loader: () => jwt(nowSeconds() + 60),
      onTokenUpdated: () => {
        throw new Error('partner bug');
      },
    });
    await expect(provider.getToken()).resolves.toMatch(/\./);
    provider.stop();
    await expect(provider.getToken()).rejects.toMatchObject({ code: 'stopped' });
  });
});

describe('expiryOf', () => {
  it('reads exp, refuses the rest', () => {
    expect(expiryOf(jwt(1234))).toBe(1_234_000);
    for (const junk of [undefined, null, 42, '', 'a.b', 'a.b.c', jwt(Number.NaN), `x.${Buffer.from('{"exp":"1"}').toString('base64url')}.y`]) {
      expect(() => expiryOf(junk)).toThrow(RoomkeyError);
    }
  });
});
