import { ForbiddenError, RateLimitedError, UnauthorizedError } from '@roomkey/errors';
import { createIdentityTestKit, OPEN, PROD } from '../testing/identity-test-kit';
import { RATE_LIMIT_WINDOW_SECONDS } from './key-access';
import { NO_REQUEST } from '@roomkey/nats';

describe('KeyAccess', () => {
  it('authenticates an API key with its secret, whatever the tenant switches', async () => {
    const kit = createIdentityTestKit();
    const caller = await kit.access.authenticate({ ...PROD }, 'guest', NO_REQUEST);
    expect(caller).toMatchObject({ apiKey: PROD.apiKey, environment: 'production', secretVerified: true });
    expect(caller.tenant.shortcode).toBe('acme');
    expect(kit.issuer.authentications).toEqual([{ apiKey: PROD.apiKey, secret: PROD.secret }]);
  });

  it('answers 401 for a missing API key, a non-string secret, an unknown key or a wrong secret', async () => {
    const kit = createIdentityTestKit();
    await expect(kit.access.authenticate({}, 'guest', NO_REQUEST)).rejects.toThrow(UnauthorizedError);
    await expect(kit.access.authenticate({ apiKey: '' }, 'guest', NO_REQUEST)).rejects.toThrow(UnauthorizedError);
    await expect(kit.access.authenticate({ apiKey: PROD.apiKey, secret: 42 as unknown as string }, 'guest', NO_REQUEST)).rejects.toThrow(UnauthorizedError);
    await expect(kit.access.authenticate({ apiKey: 'rk_prod_nobody' }, 'guest', NO_REQUEST)).rejects.toThrow('Invalid API key');
    await expect(kit.access.authenticate({ apiKey: PROD.apiKey, secret: 'wrong' }, 'guest', NO_REQUEST)).rejects.toThrow('Invalid API key or secret');
  });

  it('lets the API key alone in only when the tenant switches that access on (403 naming the switch otherwise)', async () => {
    const kit = createIdentityTestKit();
    await expect(kit.access.authenticate({ apiKey: OPEN.apiKey }, 'guest', NO_REQUEST)).resolves.toMatchObject({ secretVerified: false });
    await expect(kit.access.authenticate({ apiKey: OPEN.apiKey }, 'anonymous', NO_REQUEST)).resolves.toMatchObject({ secretVerified: false });

    const guest = kit.access.authenticate({ apiKey: PROD.apiKey }, 'guest', NO_REQUEST);
    await expect(guest).rejects.toThrow(ForbiddenError);
    await expect(guest).rejects.toThrow("Guest access is off for tenant 'acme'");
    await expect(kit.access.authenticate({ apiKey: PROD.apiKey }, 'anonymous', NO_REQUEST)).rejects.toThrow("Anonymous access is off for tenant 'acme'");
  });

  it('never limits requests that carry the secret', async () => {
    const kit = createIdentityTestKit({ guestRateLimitPerAddress: 1, guestRateLimitPerTenant: 1 });
    const caller = await kit.access.authenticate({ ...OPEN, clientAddress: '10.0.0.1' }, 'guest', NO_REQUEST);
    for (let i = 0; i < 5; i++) await kit.access.admit(caller, NO_REQUEST);
    expect(kit.limiter.total()).toBe(0);
  });

  it('limits key-only requests per address, with the seconds to wait, until the window passes', async () => {
    const kit = createIdentityTestKit({ guestRateLimitPerAddress: 3, guestRateLimitPerTenant: 100 });
    const caller = await kit.access.authenticate({ apiKey: OPEN.apiKey, clientAddress: '10.0.0.1' }, 'guest', NO_REQUEST);
    for (let i = 0; i < 3; i++) await kit.access.admit(caller, NO_REQUEST);
    const refused = await kit.access.admit(caller, NO_REQUEST).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).details.retryAfterSeconds).toBe(RATE_LIMIT_WINDOW_SECONDS);
    expect((refused as Error).message).toContain('from this address');

    // Another address is not slowed down by the first one.
    const other = await kit.access.authenticate({ apiKey: OPEN.apiKey, clientAddress: '10.0.0.2' }, 'anonymous', NO_REQUEST);
    await expect(kit.access.admit(other, NO_REQUEST)).resolves.toBeUndefined();

    kit.clock.advance(20_000);
    const later = await kit.access.admit(caller, NO_REQUEST).catch((error: unknown) => error);
    expect((later as RateLimitedError).details.retryAfterSeconds).toBe(RATE_LIMIT_WINDOW_SECONDS - 20);
    kit.clock.advance(RATE_LIMIT_WINDOW_SECONDS * 1000);
    await expect(kit.access.admit(caller, NO_REQUEST)).resolves.toBeUndefined();
  });

  it('limits key-only requests per tenant across addresses; without an address only the tenant limit applies', async () => {
    const kit = createIdentityTestKit({ guestRateLimitPerAddress: 100, guestRateLimitPerTenant: 4 });
    for (let i = 0; i < 3; i++) {
      await kit.access.admit(await kit.access.authenticate({ apiKey: OPEN.apiKey, clientAddress: `10.0.1.${i}` }, 'guest', NO_REQUEST), NO_REQUEST);
    }
    await kit.access.admit(await kit.access.authenticate({ apiKey: OPEN.apiKey }, 'guest', NO_REQUEST), NO_REQUEST);
    const refused = kit.access.admit(await kit.access.authenticate({ apiKey: OPEN.apiKey, clientAddress: '10.0.1.9' }, 'guest', NO_REQUEST), NO_REQUEST);
    await expect(refused).rejects.toThrow(RateLimitedError);
    await expect(refused).rejects.toThrow('for this tenant');
  });

  it('turns a limit off with 0', async () => {
    const kit = createIdentityTestKit({ guestRateLimitPerAddress: 0, guestRateLimitPerTenant: 0 });
    const caller = await kit.access.authenticate({ apiKey: OPEN.apiKey, clientAddress: '10.0.0.1' }, 'guest', NO_REQUEST);
    for (let i = 0; i < 20; i++) await kit.access.admit(caller, NO_REQUEST);
    expect(kit.limiter.total()).toBe(0);
  });
});
