import { ConfigError, readIdentityConfig } from '@roomkey/config';

describe('readIdentityConfig', () => {
  it('defaults the key-only rate limits to 30 a minute per address and 600 per tenant', () => {
    expect(readIdentityConfig({})).toMatchObject({ guestRateLimitPerAddress: 30, guestRateLimitPerTenant: 600 });
  });

  it('reads them from the environment; 0 turns a limit off', () => {
    const config = readIdentityConfig({ ROOMKEY_GUEST_RATE_LIMIT_PER_ADDRESS: '5', ROOMKEY_GUEST_RATE_LIMIT_PER_TENANT: '0' });
    expect(config).toMatchObject({ guestRateLimitPerAddress: 5, guestRateLimitPerTenant: 0 });
  });

  it.each(['-1', 'ten', '1.5'])('stops with a sentence naming the variable for %p', (value) => {
    expect(() => readIdentityConfig({ ROOMKEY_GUEST_RATE_LIMIT_PER_ADDRESS: value })).toThrow(ConfigError);
    expect(() => readIdentityConfig({ ROOMKEY_GUEST_RATE_LIMIT_PER_TENANT: value })).toThrow('ROOMKEY_GUEST_RATE_LIMIT_PER_TENANT');
  });
});
