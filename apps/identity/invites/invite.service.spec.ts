import { parseTokenContent, type IdentityRoutes, type RequestOf } from '@roomkey/contracts';
import { ForbiddenError, GoneError, InvalidRequestError, InvalidTokenError, NotFoundError, UnauthorizedError, UnavailableError } from '@roomkey/errors';
import { createIdentityTestKit, type IdentityTestKit } from '../testing/identity-test-kit';
import { InviterAccess } from '../access/inviter-access';
import { inviteKey, isInviteCode } from './invite-code';
import { InviteHandlers } from './invite.handlers';
import { NO_REQUEST } from '@roomkey/nats';

/** What the gateway forwards, possibly invalid: the handler validates it. */
type CreateWire = RequestOf<typeof IdentityRoutes.createInvite>;
type RedeemWire = RequestOf<typeof IdentityRoutes.redeemInvite>;

const HOST_PERMS = ['live:read', 'layout:read', 'webrtc:join', 'layout:write', 'webrtc:start', 'live:write', 'guests:invite', 'broadcast:manage'] as const;

describe('InviteService', () => {
  let kit: IdentityTestKit;
  beforeEach(() => {
    kit = createIdentityTestKit();
    kit.issuer.addToken('host', { tid: 'acme', sub: 'host-1', role: 'HOST', perms: [...HOST_PERMS], env: 'production', rooms: ['stage', 'green-room'] });
    kit.issuer.addToken('host-all-rooms', { tid: 'acme', sub: 'host-2', role: 'HOST', perms: [...HOST_PERMS], env: 'production' });
    kit.issuer.addToken('guest', { tid: 'acme', sub: 'g', role: 'GUEST', perms: ['live:read', 'layout:read', 'webrtc:join'] });
  });

  // Through the handlers, as the gateway's requests arrive: caller apart, body validated, then the service.
  const handlers = () => new InviteHandlers(new InviterAccess(kit.issuer), kit.invites);
  const create = (token: string, body: unknown) => handlers().create({ accessToken: token, body } as CreateWire, NO_REQUEST);
  const redeem = (code: string, body?: unknown) => handlers().redeem({ code, body } as RedeemWire, NO_REQUEST);

  describe('create', () => {
    it('stores an invite under the hash of its code, with the caller’s rooms by default, and answers the code once', async () => {
      const answer = await create('host', { role: 'GUEST', ttlSeconds: 1800, maxUses: 3 });
      expect(isInviteCode(answer.inviteCode)).toBe(true);
      expect(answer.expiresAt).toBe(new Date(kit.clock.now() + 1800_000).toISOString());
      const [[key, stored]] = [...kit.store.entries];
      expect(key).toBe(inviteKey(answer.inviteCode));
      expect(stored.value).toEqual({
        id: expect.any(String),
        tenant: 'acme',
        role: 'GUEST',
        rooms: ['stage', 'green-room'],
        maxUses: 3,
        uses: 0,
        createdAt: kit.clock.now(),
        expiresAt: kit.clock.now() + 1800_000,
        inviter: { sub: 'host-1', clientId: 'rk_prod_inviter', env: 'production' },
      });
      expect(JSON.stringify([...kit.store.entries])).not.toContain(answer.inviteCode);
      expect(kit.sink.events).toEqual([{ tenant: 'acme', type: 'invite.created', fields: { inviteId: stored.value.id, jti: 'jti-host' } }]);
      expect(JSON.stringify(kit.sink.events)).not.toContain(answer.inviteCode);
    });

    it('keeps the rooms asked for when they are the caller’s, and any rooms for a caller without a rooms claim', async () => {
      await create('host', { role: 'VIEWER', rooms: ['stage'], ttlSeconds: 60 });
      await create('host-all-rooms', { role: 'GUEST', rooms: ['anywhere'], ttlSeconds: 60 });
      await create('host-all-rooms', { role: 'GUEST', ttlSeconds: 60 });
      const invites = [...kit.store.entries.values()].map((s) => s.value);
      expect(invites.map((i) => [i.role, i.rooms])).toEqual([
        ['VIEWER', ['stage']],
        ['GUEST', ['anywhere']],
        ['GUEST', undefined],
      ]);
    });

    it('defaults to a one-use invite of 86400 s, which only a token with a whole day left may create', async () => {
      kit.issuer.addToken('day-host', { tid: 'acme', role: 'HOST', perms: [...HOST_PERMS], exp: Math.floor(kit.clock.now() / 1000) + 86400 });
      const answer = await create('day-host', { role: 'GUEST' });
      expect(answer.expiresAt).toBe(new Date(kit.clock.now() + 86400_000).toISOString());
      expect(kit.store.only().maxUses).toBe(1);
    });

    it('refuses an explicit lifetime beyond the caller’s token (400); the default stops at the token’s expiry', async () => {
      const tooLong = await create('host', { role: 'GUEST', ttlSeconds: 3601 }).catch((error: unknown) => error);
      expect(tooLong).toBeInstanceOf(InvalidRequestError);
      expect((tooLong as Error).message).toContain("Field 'ttlSeconds' must be at most 3600");
      const defaulted = await create('host', { role: 'GUEST' });
      expect(defaulted.expiresAt).toBe(new Date(kit.clock.now() + 3600_000).toISOString());
      kit.clock.advance(600_000);
      await expect(create('host', { role: 'GUEST', ttlSeconds: 3001 })).rejects.toThrow('at most 3000');
      await expect(create('host', { role: 'GUEST', ttlSeconds: 3000 })).resolves.toBeDefined();
    });

    it('answers 401 without a token or with a bad one, and 403 without guests:invite', async () => {
      await expect(handlers().create({ body: { role: 'GUEST' } }, NO_REQUEST)).rejects.toThrow(UnauthorizedError);
      await expect(create('forged', { role: 'GUEST' })).rejects.toThrow(InvalidTokenError);
      const forbidden = create('guest', { role: 'GUEST' });
      await expect(forbidden).rejects.toThrow(ForbiddenError);
      await expect(forbidden).rejects.toThrow('guests:invite');
    });

    it.each([
      [{ role: 'CONTRIBUTOR' }, InvalidRequestError, "Field 'role' must be GUEST or lower"],
      [{ role: 'HOST' }, InvalidRequestError, "Field 'role'"],
      [{ role: 'ADMIN' }, InvalidRequestError, "Field 'role' must be one of"],
      [{}, InvalidRequestError, "Field 'role' is required"],
      [{ role: 'GUEST', rooms: ['stage', 'backstage'] }, ForbiddenError, 'backstage'],
      [{ role: 'GUEST', rooms: [] }, InvalidRequestError, "Field 'rooms'"],
      [{ role: 'GUEST', rooms: Array.from({ length: 101 }, (_, i) => `r${i}`) }, InvalidRequestError, "Field 'rooms'"],
      [{ role: 'GUEST', ttlSeconds: 0 }, InvalidRequestError, "Field 'ttlSeconds'"],
      [{ role: 'GUEST', maxUses: 0 }, InvalidRequestError, "Field 'maxUses'"],
      [{ role: 'GUEST', maxUses: 1001 }, InvalidRequestError, "Field 'maxUses'"],
      [{ role: 'GUEST', maxUses: 2.5 }, InvalidRequestError, "Field 'maxUses'"],
      [{ role: 'GUEST', name: 'x' }, InvalidRequestError, "Unknown field 'name'"],
    ])('rejects %p and stores nothing', async (body, type, message) => {
      const failure = await create('host', { ttlSeconds: 60, ...body }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(type);
      expect((failure as Error).message).toContain(message);
      expect(kit.store.entries.size).toBe(0);
      expect(kit.sink.events).toHaveLength(0);
    });

    it('never hands out a role above the caller’s own (a tenant matrix may let a lower role invite)', async () => {
      kit.issuer.addToken('viewer-inviter', { tid: 'acme', role: 'VIEWER', perms: ['live:read', 'guests:invite'] });
      await expect(create('viewer-inviter', { role: 'GUEST', ttlSeconds: 60 })).rejects.toThrow(ForbiddenError);
      await expect(create('viewer-inviter', { role: 'VIEWER', ttlSeconds: 60 })).resolves.toBeDefined();
    });
  });

  describe('redeem', () => {
    it('mints a guest token naming the inviter as actor, with the invite’s role and rooms', async () => {
      const { inviteCode } = await create('host', { role: 'GUEST', ttlSeconds: 3600, maxUses: 2 });
      const answer = await redeem(inviteCode, { name: 'Partner' });
      expect(answer.user).toEqual({ id: expect.stringMatching(/^guest-[a-z0-9]{8}$/), name: 'Partner', image: null, kind: 'guest' });
      expect(answer).toMatchObject({ accessToken: 'token-1', expiresIn: 3600 });
      expect(kit.issuer.minted).toEqual([
        {
          tenant: 'acme',
          ttlSeconds: 3600,
          claims: {
            sub: answer.user.id,
            client_id: 'rk_prod_inviter',
            kind: 'guest',
            role: 'GUEST',
            env: 'production',
            rooms: ['stage', 'green-room'],
            name: 'Partner',
            act: { sub: 'host-1' },
          },
        },
      ]);
      expect(kit.store.only().uses).toBe(1);
      const redeemed = kit.sink.events.find((e) => e.type === 'invite.redeemed');
      expect(redeemed).toEqual({ tenant: 'acme', type: 'invite.redeemed', fields: { inviteId: kit.store.only().id, jti: 'jti-1', exp: expect.any(Number) } });
      expect(JSON.stringify(kit.sink.events)).not.toContain(inviteCode);
      expect(JSON.stringify(kit.sink.events)).not.toContain(answer.accessToken);
    });

    it('asks the issuer only for claims a caller may set, exactly as parseTokenContent accepts them', async () => {
      // An inviter from an OAuth client has no env: the guest token then has none either.
      kit.issuer.addToken('oauth-host', { tid: 'acme', sub: 'host-3', client_id: 'rkc_app', role: 'HOST', perms: [...HOST_PERMS] });
      await redeem((await create('host', { role: 'GUEST', ttlSeconds: 600 })).inviteCode, { name: 'Partner' });
      await redeem((await create('oauth-host', { role: 'VIEWER', ttlSeconds: 600 })).inviteCode);
      const [first, second] = kit.issuer.minted.map((m) => m.claims);
      for (const claims of [first, second]) expect(parseTokenContent(claims)).toStrictEqual(claims);
      expect(second).toStrictEqual({ sub: second.sub, client_id: 'rkc_app', kind: 'guest', role: 'VIEWER', act: { sub: 'host-3' } });
    });

    it('accepts no body at all', async () => {
      const { inviteCode } = await create('host', { role: 'VIEWER', ttlSeconds: 3600 });
      await expect(handlers().redeem({ code: inviteCode }, NO_REQUEST)).resolves.toMatchObject({ user: { name: null } });
      // The role goes to the issuer, which adds its permissions from the tenant's matrix.
      expect(kit.issuer.minted[0].claims).toMatchObject({ role: 'VIEWER' });
    });

    it('never gives a token that outlives the invite', async () => {
      const { inviteCode } = await create('host', { role: 'GUEST', ttlSeconds: 1200, maxUses: 2 });
      await redeem(inviteCode);
      kit.clock.advance(1000_500);
      await redeem(inviteCode);
      expect(kit.issuer.minted.map((m) => m.ttlSeconds)).toEqual([1200, 200]);
    });

    it('answers 404 for a code that never existed, well-formed or not', async () => {
      await expect(redeem('rk_inv_' + 'A'.repeat(32))).rejects.toThrow(NotFoundError);
      await expect(redeem('nope')).rejects.toThrow(NotFoundError);
      await expect(handlers().redeem({} as RedeemWire, NO_REQUEST)).rejects.toThrow(NotFoundError);
    });

    it('answers 410 once used up or expired', async () => {
      const { inviteCode } = await create('host', { role: 'GUEST', ttlSeconds: 600 });
      await redeem(inviteCode);
      const usedUp = redeem(inviteCode);
      await expect(usedUp).rejects.toThrow(GoneError);
      await expect(usedUp).rejects.toThrow('used up');

      const second = await create('host', { role: 'GUEST', ttlSeconds: 600, maxUses: 5 });
      kit.clock.advance(600_000);
      await expect(redeem(second.inviteCode)).rejects.toThrow('This invite has expired');
      expect(kit.issuer.minted).toHaveLength(1);
    });

    it.each([
      [{ name: 'n'.repeat(256) }, "Field 'name'"],
      [{ name: 'bell\u0007' }, "Field 'name'"],
      [{ name: 'x', role: 'HOST' }, "Unknown field 'role'"],
      [[1], 'JSON object'],
    ])('rejects %p with a 400 and counts no use', async (body, message) => {
      const { inviteCode } = await create('host', { role: 'GUEST', ttlSeconds: 600 });
      const writes = kit.store.writes;
      const failure = await redeem(inviteCode, body).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(InvalidRequestError);
      expect((failure as Error).message).toContain(message);
      expect(kit.store.writes).toBe(writes);
      await expect(redeem(inviteCode)).resolves.toBeDefined();
    });

    it('gives the use back when no token could be minted', async () => {
      const { inviteCode } = await create('host', { role: 'GUEST', ttlSeconds: 600 });
      kit.issuer.failNextMints = 1;
      await expect(redeem(inviteCode)).rejects.toThrow(UnavailableError);
      expect(kit.store.only().uses).toBe(0);
      await expect(redeem(inviteCode)).resolves.toBeDefined();
      expect(kit.store.only().uses).toBe(1);
    });

    it('gives the use back when the gateway stopped waiting before the token was minted (it answered 503)', async () => {
      const { inviteCode } = await create('host', { role: 'GUEST', ttlSeconds: 600 });
      kit.issuer.mintDelayMs = 30;
      const late = { requestId: 'r-late', deadline: Date.now() + 10 };
      await expect(handlers().redeem({ code: inviteCode, body: {} } as RedeemWire, late)).rejects.toThrow(UnavailableError);
      expect(kit.store.only().uses).toBe(0);
      expect(kit.sink.events.filter((e) => e.type === 'invite.redeemed')).toEqual([]);
      // With time to spare, the same slow mint redeems it.
      await expect(handlers().redeem({ code: inviteCode, body: {} } as RedeemWire, { requestId: 'r-ok', deadline: Date.now() + 5000 })).resolves.toBeDefined();
      expect(kit.store.only().uses).toBe(1);
    });

    it('counts each use exactly once when redemptions race: 20 at once for 5 uses give 5 tokens', async () => {
      const { inviteCode } = await create('host', { role: 'GUEST', ttlSeconds: 600, maxUses: 5 });
      kit.store.conflictsToInject = 7;
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => redeem(inviteCode)));
      const tokens = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(tokens).toHaveLength(5);
      expect(refused).toHaveLength(15);
      for (const r of refused) expect(r.reason).toBeInstanceOf(GoneError);
      expect(kit.store.only().uses).toBe(5);
      expect(new Set(kit.issuer.minted.map((m) => m.claims.sub)).size).toBe(5);
    });

    it('carries a development inviter’s limits into the redeemed token', async () => {
      kit.issuer.addToken('dev-host', {
        tid: 'acme',
        role: 'HOST',
        perms: HOST_PERMS.filter((p) => p !== 'broadcast:manage'),
        env: 'development',
        rooms: ['a'],
        client_id: 'rk_dev_acme',
      });
      const { inviteCode } = await create('dev-host', { role: 'GUEST', ttlSeconds: 3600 });
      await redeem(inviteCode);
      expect(kit.issuer.minted[0]).toMatchObject({ ttlSeconds: 3600, claims: { env: 'development', rooms: ['a'], client_id: 'rk_dev_acme' } });
    });
  });
});
