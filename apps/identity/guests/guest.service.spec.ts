import { parseTokenContent } from '@roomkey/contracts';
import { errorLog, InvalidRequestError, RateLimitedError, UnauthorizedError } from '@roomkey/errors';
import { DEV, OPEN, PROD, createIdentityTestKit, type IdentityTestKit } from '../testing/identity-test-kit';
import { GuestHandlers } from './guest.handlers';
import { NO_REQUEST } from '@roomkey/nats';

describe('GuestService', () => {
  let kit: IdentityTestKit;
  beforeEach(() => {
    kit = createIdentityTestKit();
  });
  // Through the handler, as a NATS request arrives: caller split off, body validated, then the service.
  const create = (request: unknown) => new GuestHandlers(kit.access, kit.guests).create(request, NO_REQUEST);

  it('mints a GUEST token for a user id made unique, and answers the guest shape', async () => {
    const answer = await create({ ...PROD, userId: 'alice', name: 'Alice', rooms: ['stage'] });
    expect(answer.user).toEqual({ id: expect.stringMatching(/^alice-[a-z0-9]{8}$/), name: 'Alice', image: null, kind: 'guest' });
    expect(answer).toMatchObject({ accessToken: 'token-1', expiresIn: 3600 });
    expect(kit.issuer.minted).toEqual([
      {
        tenant: 'acme',
        ttlSeconds: 3600,
        claims: {
          sub: answer.user.id,
          client_id: PROD.apiKey,
          kind: 'guest',
          role: 'GUEST',
          env: 'production',
          rooms: ['stage'],
          name: 'Alice',
        },
      },
    ]);
  });

  it('asks the issuer only for claims a caller may set, exactly as parseTokenContent accepts them', async () => {
    await create({ ...PROD, userId: 'alice', name: 'Alice', image: 'https://cdn.test/a.png', rooms: ['stage'] });
    await create({ ...PROD });
    for (const { claims } of kit.issuer.minted) expect(parseTokenContent(claims)).toStrictEqual(claims);
  });

  it('generates the id when none is given, and takes ttlSeconds up to the key’s maximum', async () => {
    const answer = await create({ ...PROD, ttlSeconds: 86400, image: 'https://cdn.test/a.png' });
    expect(answer.user).toMatchObject({ id: expect.stringMatching(/^guest-/), name: null, image: 'https://cdn.test/a.png' });
    expect(answer.expiresIn).toBe(86400);
    expect(kit.issuer.minted[0].claims.rooms).toBeUndefined();
  });

  it('announces guest.created with ids only, never the token', async () => {
    const answer = await create({ ...PROD, userId: 'bob' });
    expect(kit.sink.events).toEqual([{ tenant: 'acme', type: 'guest.created', fields: { apiKey: PROD.apiKey, jti: 'jti-1', exp: expect.any(Number) } }]);
    expect(JSON.stringify(kit.sink.events)).not.toContain(answer.accessToken);
  });

  it('still answers when the event cannot be published (the token exists), and logs the failure', async () => {
    const logged = jest.spyOn(errorLog, 'write').mockImplementation(() => undefined);
    kit.sink.failing = true;
    await expect(create({ ...PROD })).resolves.toMatchObject({ accessToken: 'token-1' });
    expect(logged).toHaveBeenCalledWith('error', expect.stringContaining('guest.created'), expect.anything(), NO_REQUEST);
    logged.mockRestore();
  });

  it('applies a development key’s limits: rooms 1–10 required, at most 3600 s', async () => {
    await expect(create({ ...DEV })).rejects.toThrow("Field 'rooms' is required");
    await expect(create({ ...DEV, rooms: Array.from({ length: 11 }, (_, i) => `r${i}`) })).rejects.toThrow("Field 'rooms'");
    await expect(create({ ...DEV, rooms: ['a'], ttlSeconds: 3601 })).rejects.toThrow("Field 'ttlSeconds' must be from 1 to 3600 for a development API key");
    const ok = await create({ ...DEV, rooms: ['a'] });
    expect(ok.expiresIn).toBe(3600);
    expect(kit.issuer.minted[0].claims).toMatchObject({ env: 'development', rooms: ['a'] });
  });

  it.each([
    [{ userId: '' }, 'userId'],
    [{ userId: 'x'.repeat(256) }, 'userId'],
    [{ userId: 'bad\u0000id' }, 'userId'],
    [{ userId: '!anon' }, 'userId'],
    [{ name: 'n'.repeat(256) }, 'name'],
    [{ name: 'line\nbreak' }, 'name'],
    [{ image: 'i'.repeat(256) }, 'image'],
    [{ rooms: [] }, 'rooms'],
    [{ rooms: Array.from({ length: 101 }, (_, i) => `r${i}`) }, 'rooms'],
    [{ rooms: ['has space'] }, 'rooms'],
    [{ ttlSeconds: 0 }, 'ttlSeconds'],
    [{ ttlSeconds: 86401 }, 'ttlSeconds'],
    [{ role: 'HOST' }, 'role'],
  ])('rejects %p with a 400 naming %s, minting nothing and moving no counter', async (fields, field) => {
    const failure = await create({ apiKey: OPEN.apiKey, clientAddress: '10.0.0.1', ...fields }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InvalidRequestError);
    expect((failure as Error).message).toContain(field);
    expect(kit.issuer.minted).toHaveLength(0);
    expect(kit.limiter.total()).toBe(0);
    expect(kit.sink.events).toHaveLength(0);
  });

  it('answers 401 for an unknown API key and moves no counter', async () => {
    await expect(create({ apiKey: 'rk_prod_unknown', clientAddress: '10.0.0.1' })).rejects.toThrow(UnauthorizedError);
    expect(kit.limiter.total()).toBe(0);
  });

  it('rate-limits key-only guests per address', async () => {
    for (let i = 0; i < kit.config.guestRateLimitPerAddress; i++) await create({ apiKey: OPEN.apiKey, clientAddress: '10.0.0.7' });
    await expect(create({ apiKey: OPEN.apiKey, clientAddress: '10.0.0.7' })).rejects.toThrow(RateLimitedError);
    expect(kit.issuer.minted).toHaveLength(kit.config.guestRateLimitPerAddress);
  });
});
