import { deliveryIdOf, retryDelayMs } from './webhook-dispatcher';

describe('webhook delivery rules', () => {
  it('backs off exponentially from the base, jittered between half and all of it, capped at an hour', () => {
    expect(retryDelayMs(1000, 1, 0)).toBe(500);
    expect(retryDelayMs(1000, 1, 1)).toBe(1000);
    expect(retryDelayMs(1000, 4, 1)).toBe(8000);
    expect(retryDelayMs(1000, 4, 0)).toBe(4000);
    expect(retryDelayMs(1000, 40, 1)).toBe(3600_000);
    expect(retryDelayMs(1000, 40, 0)).toBe(1800_000);
  });

  it('gives one delivery id per event and endpoint, the same on every retry', () => {
    expect(deliveryIdOf('wh_a', 'event-1')).toBe(deliveryIdOf('wh_a', 'event-1'));
    expect(deliveryIdOf('wh_a', 'event-1')).not.toBe(deliveryIdOf('wh_b', 'event-1'));
    expect(deliveryIdOf('wh_a', 'event-1')).not.toBe(deliveryIdOf('wh_a', 'event-2'));
    expect(deliveryIdOf('wh_a', 'event-1')).toMatch(/^msg_[A-Za-z0-9_-]{32}$/);
  });
});
