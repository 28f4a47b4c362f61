import { currentRequestId, isAcceptableRequestId, runInRequestContext } from './request-context';

describe('request context', () => {
  it('accepts 1–128 visible ASCII characters only', () => {
    expect(isAcceptableRequestId('abc-123_:/=+.~!')).toBe(true);
    expect(isAcceptableRequestId('x'.repeat(128))).toBe(true);
    for (const refused of ['', 'x'.repeat(129), 'has space', 'tab\there', 'é', 'line\n', undefined, 5, ['a']]) {
      expect(isAcceptableRequestId(refused)).toBe(false);
    }
  });

  it('carries the request id through async calls, and only inside the run', async () => {
    expect(currentRequestId()).toBeUndefined();
    const seen = await runInRequestContext({ requestId: 'req-1' }, async (delayMs: number) => {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      await Promise.resolve();
      return currentRequestId();
    }, 5);
    expect(seen).toBe('req-1');
    expect(currentRequestId()).toBeUndefined();
  });
});
