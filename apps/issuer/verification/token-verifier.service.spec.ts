import { CLOCK_TOLERANCE_SECONDS, type AccessTokenClaims } from '@roomkey/contracts';
import { INVALID_TOKEN_MESSAGE, InvalidRequestError, InvalidTokenError, UnauthorizedError } from '@roomkey/errors';
import { SignJWT, decodeJwt, importJWK, type JWK, type JWTPayload } from 'jose';
import { generateSigningKey } from '../../keys/signing-keys/key-generator';
import { PUBLIC_URL, createIssuerTestKit, type IssuerTestKit } from '../testing/fake-key-directory';
import { AccessTokenHandlers } from '../access-tokens/access-token.handlers';
import { VerificationHandlers } from './verification.handlers';
import { NO_REQUEST } from '@roomkey/nats';

const SECOND = 1000;
const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

async function expectInvalidToken(promise: Promise<unknown>): Promise<void> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(InvalidTokenError);
  expect((error as InvalidTokenError).status).toBe(401);
  expect((error as Error).message).toBe(INVALID_TOKEN_MESSAGE);
}

/** Signs `claims` with a private JWK under any header (to forge tokens the issuer would never make). */
async function sign(privateJwk: JWK, header: Record<string, unknown>, claims: JWTPayload): Promise<string> {
  const alg = header.alg as string;
  return new SignJWT(claims).setProtectedHeader({ ...header, alg }).sign(await importJWK(privateJwk, alg));
}

describe('TokenVerifier', () => {
  // jose's jwtVerify reads the real clock, so the fake clock starts at the real time; tokens meant to
  // be expired are minted with the fake clock set in the past, then verified at the present (no sleeping).
  let realNow: number;
  let kit: IssuerTestKit;
  let prod: { apiKey: string; secret: string };

  beforeEach(async () => {
    realNow = Date.now();
    kit = createIssuerTestKit(realNow);
    await kit.directory.addTenant('acme');
    await kit.directory.addTenant('globex');
    prod = kit.directory.addApiKey('acme', 'production');
  });

  const mint = async (body: Record<string, unknown> = {}) =>
    (await new AccessTokenHandlers(kit.accessTokens).create({ ...prod, userId: 'alice', role: 'HOST', rooms: ['room-1'], ...body }, NO_REQUEST)).accessToken;

  /** Valid claims for `tenant`, as the issuer would sign them now. */
  const claimsFor = (tenant = 'acme', patch: Partial<AccessTokenClaims> = {}): JWTPayload => {
    const iat = Math.floor(realNow / 1000);
    return {
      iss: `${PUBLIC_URL}/realms/${tenant}`,
      sub: 'mallory',
      aud: 'roomkey',
      iat,
      exp: iat + 3600,
      jti: 'forged-1',
      tid: tenant,
      client_id: 'rk_prod_x',
      kind: 'user',
      role: 'HOST',
      perms: ['live:read', 'layout:read', 'webrtc:join', 'layout:write', 'webrtc:start', 'live:write', 'guests:invite', 'broadcast:manage'],
      env: 'production',
      ...patch,
    } as JWTPayload;
  };

  describe('verify', () => {
    it('accepts a token it minted and returns its claims', async () => {
      const token = await mint();
      await expect(kit.verifier.verify('acme', token, NO_REQUEST)).resolves.toEqual(decodeJwt(token));
    });

    it('accepts a correctly signed token made outside the issuer (sanity check of the forging helper)', async () => {
      const active = kit.directory.key('acme', 'active');
      const token = await sign(active.privateJwk, { alg: 'ES256', kid: active.kid, typ: 'at+jwt' }, claimsFor());
      await expect(kit.verifier.verify('acme', token, NO_REQUEST)).resolves.toMatchObject({ sub: 'mallory', tid: 'acme' });
    });

    it('rejects another spelling of a valid token: padding, trailing bits, an over-long or control-character string', async () => {
      const token = await mint();
      await expect(kit.verifier.verify('acme', token, NO_REQUEST)).resolves.toBeDefined();
      await expectInvalidToken(kit.verifier.verify('acme', `${token}==`, NO_REQUEST));
      await expectInvalidToken(kit.verifier.verify('acme', `${token}=`, NO_REQUEST));
      // ES256 signatures are 64 bytes: 86 characters with 2 unused bits; setting one gives the same bytes.
      const [header, payload, signature] = token.split('.');
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(signature[signature.length - 1]);
      const sameBytes = `${header}.${payload}.${signature.slice(0, -1)}${alphabet[last | 1]}`;
      expect(Buffer.from(sameBytes.split('.')[2], 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
      await expectInvalidToken(kit.verifier.verify('acme', sameBytes, NO_REQUEST));
      await expectInvalidToken(kit.verifier.verify('acme', `${token}${'A'.repeat(9000)}`, NO_REQUEST));
      await expectInvalidToken(kit.verifier.verify('acme', `${header}.${payload}\n.${signature}`, NO_REQUEST));
    });

    it('rejects a tampered payload', async () => {
      const token = await mint({ role: 'VIEWER' });
      const [header, payload, signature] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const tampered = `${header}.${b64url({ ...claims, role: 'HOST', perms: claimsFor().perms })}.${signature}`;
      await expectInvalidToken(kit.verifier.verify('acme', tampered, NO_REQUEST));
    });

    it('rejects a tampered signature and a tampered header', async () => {
      const token = await mint();
      const [header, payload, signature] = token.split('.');
      const sig = Buffer.from(signature, 'base64url');
      sig[5] ^= 0xff;
      await expectInvalidToken(kit.verifier.verify('acme', `${header}.${payload}.${sig.toString('base64url')}`, NO_REQUEST));
      const h = JSON.parse(Buffer.from(header, 'base64url').toString());
      await expectInvalidToken(kit.verifier.verify('acme', `${b64url({ ...h, extra: 1 })}.${payload}.${signature}`, NO_REQUEST));
    });

    it("rejects an alg 'none' token", async () => {
      const kid = kit.directory.key('acme', 'active').kid;
      const unsigned = `${b64url({ alg: 'none', kid, typ: 'at+jwt' })}.${b64url(claimsFor())}.`;
      await expectInvalidToken(kit.verifier.verify('acme', unsigned, NO_REQUEST));
      await expectInvalidToken(kit.verifier.verify('acme', `${b64url({ alg: 'none', kid, typ: 'at+jwt' })}.${b64url(claimsFor())}`, NO_REQUEST));
    });

    it('rejects HS256 tokens signed with the public JWK bytes, its coordinates, or any secret', async () => {
      const active = kit.directory.key('acme', 'active');
      const header = { alg: 'HS256', kid: active.kid, typ: 'at+jwt' };
      const secrets = [
        new TextEncoder().encode(JSON.stringify(active.publicJwk)),
        Buffer.from(active.publicJwk.x!, 'base64url'),
        new TextEncoder().encode(prod.secret),
        new TextEncoder().encode('any secret at all, long enough for HS256!'),
      ];
      for (const secret of secrets) {
        const token = await new SignJWT(claimsFor()).setProtectedHeader(header).sign(secret);
        await expectInvalidToken(kit.verifier.verify('acme', token, NO_REQUEST));
      }
    });

    it('rejects a token whose alg differs from its key (RS256 header on an ES256 kid)', async () => {
      const active = kit.directory.key('acme', 'active');
      const other = await generateSigningKey('RS256');
      await expectInvalidToken(kit.verifier.verify('acme', await sign(other.privateJwk, { alg: 'RS256', kid: active.kid, typ: 'at+jwt' }, claimsFor()), NO_REQUEST));
    });

    it('rejects a token with an unknown kid, reloading the keyring at most once every 2 s', async () => {
      const stranger = await generateSigningKey('ES256');
      const token = await sign(stranger.privateJwk, { alg: 'ES256', kid: stranger.kid, typ: 'at+jwt' }, claimsFor());
      await kit.verifier.verify('acme', await mint(), NO_REQUEST);
      expect(kit.directory.materialCalls).toEqual(['acme']);

      await expectInvalidToken(kit.verifier.verify('acme', token, NO_REQUEST));
      expect(kit.directory.materialCalls).toEqual(['acme']); // loaded just now: no reload

      kit.clock.advance(2 * SECOND);
      await expectInvalidToken(kit.verifier.verify('acme', token, NO_REQUEST));
      expect(kit.directory.materialCalls).toEqual(['acme', 'acme']); // one reload, kid still unknown
    });

    it("rejects a token signed with a stranger's key under a known kid", async () => {
      const stranger = await generateSigningKey('ES256');
      const kid = kit.directory.key('acme', 'active').kid;
      await expectInvalidToken(kit.verifier.verify('acme', await sign(stranger.privateJwk, { alg: 'ES256', kid, typ: 'at+jwt' }, claimsFor()), NO_REQUEST));
    });

    it('picks up a key that appeared after the keyring was loaded (next key becomes active)', async () => {
      await kit.verifier.verify('acme', await mint(), NO_REQUEST);
      const stranger = await generateSigningKey('ES256');
      const tenant = kit.directory.tenants.get('acme')!;
      tenant.keys.push({ generated: stranger, state: 'next' });
      kit.clock.advance(2 * SECOND);
      const token = await sign(stranger.privateJwk, { alg: 'ES256', kid: stranger.kid, typ: 'at+jwt' }, claimsFor());
      await expect(kit.verifier.verify('acme', token, NO_REQUEST)).resolves.toMatchObject({ sub: 'mallory' });
    });

    it("rejects another tenant's token", async () => {
      const globexKey = kit.directory.addApiKey('globex', 'production');
      const globexToken = (await new AccessTokenHandlers(kit.accessTokens).create({ ...globexKey, userId: 'alice', role: 'HOST' }, NO_REQUEST)).accessToken;
      await expect(kit.verifier.verify('globex', globexToken, NO_REQUEST)).resolves.toMatchObject({ tid: 'globex' });
      await expectInvalidToken(kit.verifier.verify('acme', globexToken, NO_REQUEST));
      kit.clock.advance(2 * SECOND); // even after a keyring reload
      await expectInvalidToken(kit.verifier.verify('acme', globexToken, NO_REQUEST));
    });

    it("rejects a token signed by the tenant's key but naming another tenant (tid) or issuer (iss)", async () => {
      const active = kit.directory.key('acme', 'active');
      const header = { alg: 'ES256', kid: active.kid, typ: 'at+jwt' };
      await expectInvalidToken(kit.verifier.verify('acme', await sign(active.privateJwk, header, claimsFor('acme', { tid: 'globex' })), NO_REQUEST));
      await expectInvalidToken(
        kit.verifier.verify('acme', await sign(active.privateJwk, header, claimsFor('acme', { iss: `${PUBLIC_URL}/realms/globex` })), NO_REQUEST),
      );
      await expectInvalidToken(kit.verifier.verify('acme', await sign(active.privateJwk, header, claimsFor('acme', { iss: 'https://evil.example/realms/acme' })), NO_REQUEST));
    });

    it('rejects a correctly signed token without typ at+jwt or without kid', async () => {
      const active = kit.directory.key('acme', 'active');
      await expectInvalidToken(kit.verifier.verify('acme', await sign(active.privateJwk, { alg: 'ES256', kid: active.kid, typ: 'JWT' }, claimsFor()), NO_REQUEST));
      await expectInvalidToken(kit.verifier.verify('acme', await sign(active.privateJwk, { alg: 'ES256', kid: active.kid }, claimsFor()), NO_REQUEST));
      await expectInvalidToken(kit.verifier.verify('acme', await sign(active.privateJwk, { alg: 'ES256', typ: 'at+jwt' }, claimsFor()), NO_REQUEST));
    });

    it("rejects a correctly signed token whose claims are not roomkey's shape", async () => {
      const active = kit.directory.key('acme', 'active');
      const header = { alg: 'ES256', kid: active.kid, typ: 'at+jwt' };
      const noKind = claimsFor();
      delete noKind.kind;
      await expectInvalidToken(kit.verifier.verify('acme', await sign(active.privateJwk, header, noKind), NO_REQUEST));
      await expectInvalidToken(kit.verifier.verify('acme', await sign(active.privateJwk, header, claimsFor('acme', { role: 'ADMIN' as never })), NO_REQUEST));
    });

    it.each(['', 'abc', 'a.b.c', '..', 'e30.e30.'])('rejects the malformed token %p', async (token) => {
      await expectInvalidToken(kit.verifier.verify('acme', token, NO_REQUEST));
    });

    it('rejects an expired token (minted with the clock far in the past)', async () => {
      kit.clock.set(realNow - 2 * 3600 * SECOND);
      const token = await mint();
      kit.clock.set(realNow);
      expect(decodeJwt(token).exp! * 1000).toBeLessThan(realNow - 3600 * SECOND + SECOND);
      await expectInvalidToken(kit.verifier.verify('acme', token, NO_REQUEST));
    });

    it('rejects a token expired by more than the 30 s tolerance', async () => {
      kit.clock.set(realNow - (3600 + 2 * CLOCK_TOLERANCE_SECONDS) * SECOND);
      const token = await mint();
      kit.clock.set(realNow);
      await expectInvalidToken(kit.verifier.verify('acme', token, NO_REQUEST));
    });

    it('still accepts a token expired by 10 s (within the 30 s tolerance)', async () => {
      kit.clock.set(realNow - (3600 + 10) * SECOND);
      const token = await mint();
      kit.clock.set(realNow);
      expect(decodeJwt(token).exp! * 1000).toBeLessThan(Date.now());
      await expect(kit.verifier.verify('acme', token, NO_REQUEST)).resolves.toMatchObject({ sub: 'alice' });
    });

    it('honours nbf with the same tolerance', async () => {
      const active = kit.directory.key('acme', 'active');
      const header = { alg: 'ES256', kid: active.kid, typ: 'at+jwt' };
      const nowS = Math.floor(realNow / 1000);
      await expect(kit.verifier.verify('acme', await sign(active.privateJwk, header, claimsFor('acme', { nbf: nowS + 10 })), NO_REQUEST)).resolves.toBeDefined();
      await expectInvalidToken(kit.verifier.verify('acme', await sign(active.privateJwk, header, claimsFor('acme', { nbf: nowS + 120 })), NO_REQUEST));
    });

    it('keeps verifying tokens of a retiring key after rotation, and stops once the key is retired', async () => {
      const token = await mint();
      const oldKid = kit.directory.key('acme', 'active').kid;
      await kit.directory.rotate('acme');
      kit.keyrings.invalidate('acme');
      await expect(kit.verifier.verify('acme', token, NO_REQUEST)).resolves.toBeDefined();

      kit.directory.setState('acme', oldKid, 'retired');
      kit.keyrings.invalidate('acme');
      await expectInvalidToken(kit.verifier.verify('acme', token, NO_REQUEST));
    });
  });

  describe('verifyForCaller', () => {
    it('answers {active: true, claims} for a valid token of the caller tenant', async () => {
      const token = await mint();
      await expect(new VerificationHandlers(kit.verifier).verify({ ...prod, token }, NO_REQUEST)).resolves.toEqual({ active: true, claims: decodeJwt(token) });
    });

    it("rejects another tenant's token for the caller", async () => {
      const globexKey = kit.directory.addApiKey('globex', 'development');
      await expectInvalidToken(new VerificationHandlers(kit.verifier).verify({ ...globexKey, token: await mint() }, NO_REQUEST));
    });

    it('rejects bad credentials with UnauthorizedError before looking at the token', async () => {
      const token = await mint();
      await expect(new VerificationHandlers(kit.verifier).verify({ apiKey: prod.apiKey, secret: 'nope', token }, NO_REQUEST)).rejects.toBeInstanceOf(UnauthorizedError);
      await expect(new VerificationHandlers(kit.verifier).verify({ token }, NO_REQUEST)).rejects.toBeInstanceOf(UnauthorizedError);
      await expect(new VerificationHandlers(kit.verifier).verify({ apiKey: prod.apiKey, secret: 'nope', token: 5, extra: 1 }, NO_REQUEST)).rejects.toBeInstanceOf(
        UnauthorizedError,
      );
    });

    it('rejects a missing or unknown field with 400 naming it', async () => {
      const missing = await rejection(new VerificationHandlers(kit.verifier).verify({ ...prod }, NO_REQUEST));
      expect(missing).toBeInstanceOf(InvalidRequestError);
      expect((missing as InvalidRequestError).details.field).toBe('token');
      const unknown = await rejection(new VerificationHandlers(kit.verifier).verify({ ...prod, token: await mint(), jti: 'x' }, NO_REQUEST));
      expect(unknown).toBeInstanceOf(InvalidRequestError);
      expect((unknown as InvalidRequestError).details.field).toBe('jti');
    });

    it('picks up a revoked caller key after CredentialCache.invalidate (the directory is asked again)', async () => {
      const token = await mint();
      await new VerificationHandlers(kit.verifier).verify({ ...prod, token }, NO_REQUEST);
      expect(kit.directory.resolveCalls).toEqual([prod.apiKey]);

      kit.directory.revokeApiKey(prod.apiKey);
      kit.credentials.invalidate(prod.apiKey);
      await expect(new VerificationHandlers(kit.verifier).verify({ ...prod, token }, NO_REQUEST)).rejects.toBeInstanceOf(UnauthorizedError);
      expect(kit.directory.resolveCalls).toEqual([prod.apiKey, prod.apiKey]);
    });
  });
});
