import { parseTokenContent } from '@roomkey/contracts';
import { ForbiddenError, InvalidRequestError } from '@roomkey/errors';
import { DEV, OPEN, PROD, createIdentityTestKit, type IdentityTestKit } from '../testing/identity-test-kit';
import { AnonymousHandlers } from './anonymous.handlers';
import { NO_REQUEST } from '@roomkey/nats';

describe('AnonymousService', () => {
  let kit: IdentityTestKit;
  beforeEach(() => {
    kit = createIdentityTestKit();
  });
  // Through the handler, as a NATS request arrives: caller split off, body validated, then the service.
  const create = (request: unknown) => new AnonymousHandlers(kit.access, kit.anonymous).create(request, NO_REQUEST);

  it('mints a VIEWER token for "!anon" with the rooms and a fresh anon_id per token', async () => {
    const first = await create({ ...PROD, rooms: ['stage', 'stage', 'lobby'] });
    const second = await create({ ...PROD, rooms: ['stage'] });
    expect(first).toEqual({ accessToken: 'token-1', expiresIn: 3600 });
    const [a, b] = kit.issuer.minted;
    expect(a).toEqual({
      tenant: 'acme',
      ttlSeconds: 3600,
      claims: {
        sub: '!anon',
        client_id: PROD.apiKey,
        kind: 'anonymous',
        role: 'VIEWER',
        env: 'production',
        rooms: ['stage', 'lobby'],
        anon_id: expect.any(String),
      },
    });
    expect(a.claims.anon_id).not.toBe(b.claims.anon_id);
    expect(second.accessToken).toBe('token-2');
  });

  it('asks the issuer only for claims a caller may set, exactly as parseTokenContent accepts them', async () => {
    await create({ ...DEV, rooms: ['stage'] });
    const [{ claims }] = kit.issuer.minted;
    expect(parseTokenContent(claims)).toStrictEqual(claims);
  });

  it.each([
    [{}, "Field 'rooms' is required"],
    [{ rooms: [] }, "Field 'rooms' must name 1–100 rooms"],
    [{ rooms: Array.from({ length: 101 }, (_, i) => `r${i}`) }, "Field 'rooms' must name 1–100 rooms"],
    [{ rooms: 'stage' }, "Field 'rooms'"],
    [{ rooms: ['a'], ttlSeconds: 86401 }, "Field 'ttlSeconds'"],
    [{ rooms: ['a'], userId: 'alice' }, "Unknown field 'userId'"],
  ])('rejects %p with a 400 (%s) and mints nothing', async (fields, message) => {
    const failure = await create({ ...PROD, ...fields }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InvalidRequestError);
    expect((failure as Error).message).toContain(message);
    expect(kit.issuer.minted).toHaveLength(0);
  });

  it('applies a development key’s limits', async () => {
    await expect(create({ ...DEV, rooms: Array.from({ length: 11 }, (_, i) => `r${i}`) })).rejects.toThrow("must name 1–10 rooms");
    await expect(create({ ...DEV, rooms: ['a'], ttlSeconds: 3601 })).rejects.toThrow('3600');
    await create({ ...DEV, rooms: ['a'] });
    expect(kit.issuer.minted[0].claims.env).toBe('development');
  });

  it('needs the tenant’s anonymousAccess switch for the API key alone', async () => {
    await expect(create({ apiKey: PROD.apiKey, rooms: ['a'] })).rejects.toThrow(ForbiddenError);
    await expect(create({ apiKey: OPEN.apiKey, clientAddress: '10.0.0.1', rooms: ['a'] })).resolves.toMatchObject({ expiresIn: 3600 });
  });
});
