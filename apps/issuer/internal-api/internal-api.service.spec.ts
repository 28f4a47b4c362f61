import {
  ISSUER_CLAIMS,
  MAX_METADATA_BYTES,
  PERMISSIONS,
  guestToken,
  userToken,
  type AccessTokenClaims,
  type TokenContent,
} from '@roomkey/contracts';
import { InvalidRequestError } from '@roomkey/errors';
import { compactVerify, decodeJwt, importJWK } from 'jose';
import { PUBLIC_URL, createIssuerTestKit, type IssuerTestKit } from '../testing/fake-key-directory';
import { InternalApiService } from './internal-api.service';
import { InternalApiHandlers } from './internal-api.handlers';
import { NO_REQUEST } from '@roomkey/nats';

const START = Date.UTC(2026, 2, 1, 12, 0, 0, 250);
const START_S = Math.floor(START / 1000);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

/** A 400 invalid_request whose field and message both name `field`. */
async function expectInvalid(promise: Promise<unknown>, field: string): Promise<InvalidRequestError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(InvalidRequestError);
  const invalid = error as InvalidRequestError;
  expect(invalid.status).toBe(400);
  expect(invalid.code).toBe('invalid_request');
  expect(invalid.details.field).toBe(field);
  expect(invalid.message).toContain(`'${field}'`);
  return invalid;
}

describe('InternalApiService.mint (IssuerRoutes.mintToken)', () => {
  let kit: IssuerTestKit;
  let internal: InternalApiService;

  beforeEach(async () => {
    kit = createIssuerTestKit(START);
    await kit.directory.addTenant('acme');
    internal = new InternalApiService(kit.apiKeys, kit.keyrings, kit.signer, kit.verifier);
  });

  const guest = (patch: Record<string, unknown> = {}) => ({
    ...guestToken({ subject: 'guest-1', clientId: 'rk_prod_abc', environment: 'production', rooms: ['room-1'] }),
    ...patch,
  });
  const mint = (claims: unknown, extra: Record<string, unknown> = {}) => new InternalApiHandlers(internal).mint({ tenant: 'acme', ttlSeconds: 600, claims, ...extra }, NO_REQUEST);

  describe('a valid request', () => {
    it('is signed by the tenant active key; iss, tid, iat, exp, jti are the issuer’s and perms come from the role', async () => {
      const minted = await mint(guest({ name: 'Gus' }));
      const claims = decodeJwt(minted.accessToken) as unknown as AccessTokenClaims;
      expect(claims).toEqual({
        iss: `${PUBLIC_URL}/realms/acme`,
        tid: 'acme',
        aud: 'roomkey',
        iat: START_S,
        exp: START_S + 600,
        jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
        sub: 'guest-1',
        client_id: 'rk_prod_abc',
        kind: 'guest',
        role: 'GUEST',
        perms: ['live:read', 'layout:read', 'webrtc:join'],
        env: 'production',
        rooms: ['room-1'],
        name: 'Gus',
      });
      expect(minted).toEqual({
        accessToken: minted.accessToken,
        expiresIn: 600,
        expiresAt: new Date((START_S + 600) * 1000).toISOString(),
        claims,
      });
      const active = kit.directory.key('acme', 'active');
      await expect(compactVerify(minted.accessToken, await importJWK(active.publicJwk, 'ES256'))).resolves.toBeDefined();
    });

    it('gives a HOST every permission, less broadcast:manage from a development key', async () => {
      const host = userToken({ subject: 'alice', clientId: 'rk_prod_abc', role: 'HOST', environment: 'production' });
      expect((await mint(host)).claims.perms).toEqual([...PERMISSIONS]);
      const devHost = userToken({ subject: 'alice', clientId: 'rk_dev_abc', role: 'HOST', environment: 'development', rooms: ['r'] });
      expect((await mint(devHost)).claims.perms).toEqual(PERMISSIONS.filter((p) => p !== 'broadcast:manage'));
    });

    it('carries metadata and nbf when given', async () => {
      const metadata = { team: 'blue', seat: 4 };
      const claims = decodeJwt((await mint(guest({ metadata, nbf: START_S + 60 }))).accessToken);
      expect(claims.metadata).toEqual(metadata);
      expect(claims.nbf).toBe(START_S + 60);
    });
  });

  describe('claims only the issuer sets', () => {
    it('refuses the forged mint of issue 9 (iss of the caller’s choosing) and signs nothing', async () => {
      const error = await expectInvalid(
        new InternalApiHandlers(internal).mint({
          tenant: 'acme',
          ttlSeconds: 3600,
          claims: { sub: 'mallory', role: 'HOST', client_id: 'forged', iss: 'https://evil.example' },
        }, NO_REQUEST),
        'iss',
      );
      expect(error.message).toBe("Claim 'iss' is set by the issuer and may not be requested");
      expect(kit.directory.materialCalls).toEqual([]);
    });

    it.each(ISSUER_CLAIMS)('refuses %s even on otherwise valid content', async (claim) => {
      const value = claim === 'perms' ? [...PERMISSIONS] : claim === 'tid' || claim === 'iss' || claim === 'jti' ? 'forged' : START_S + 999_999;
      const error = await expectInvalid(mint(guest({ [claim]: value })), claim);
      expect(error.message).toBe(`Claim '${claim}' is set by the issuer and may not be requested`);
      expect(kit.directory.materialCalls).toEqual([]);
    });

    it('TokenSigner refuses them too, for callers inside the issuer', async () => {
      const forged = { ...userToken({ subject: 'alice', clientId: 'rk_prod_abc', role: 'VIEWER' }), iss: 'https://evil.example' } as TokenContent;
      await expectInvalid(kit.signer.sign('acme', forged, 60, 'mint', NO_REQUEST), 'iss');
      const perms = { ...userToken({ subject: 'alice', clientId: 'rk_prod_abc', role: 'VIEWER' }), perms: [...PERMISSIONS] } as TokenContent;
      await expectInvalid(kit.signer.sign('acme', perms, 60, 'mint', NO_REQUEST), 'perms');
    });
  });

  describe('malformed claims are a 400 naming the claim, never a 500', () => {
    it.each([
      ['an unknown role', { role: 'ADMIN' }, 'role'],
      ['a lower-case role', { role: 'host' }, 'role'],
      ['a room id with a space', { rooms: ['room 1'] }, 'rooms'],
      ['rooms that are not a list', { rooms: 'room-1' }, 'rooms'],
      ['no rooms at all in a list', { rooms: [] }, 'rooms'],
      ['an unknown claim', { video: { roomJoin: true } }, 'video'],
      ['an unknown kind', { kind: 'admin' }, 'kind'],
      ['an empty sub', { sub: '' }, 'sub'],
      ['a sub with a control character', { sub: 'gue\u0000st' }, 'sub'],
      ['a name over 255 characters', { name: 'n'.repeat(256) }, 'name'],
      ['a non-string image', { image: 42 }, 'image'],
      ['an unknown env', { env: 'staging' }, 'env'],
      ['an act with more than sub and an earlier actor', { act: { sub: 'host', role: 'HOST' } }, 'act'],
      // RFC 8693 §4.1 nests earlier actors (token exchange); a chain deeper than 8 is refused.
      ['an act nested deeper than 8', { act: Array.from({ length: 9 }).reduce<object>((inner) => ({ sub: 'a', act: inner }), { sub: 'first' }) }, 'act'],
      ['an earlier actor without sub', { act: { sub: 'host', act: { role: 'x' } } }, 'act'],
      ['metadata that is not an object', { metadata: ['a'] }, 'metadata'],
      ['metadata over 2 KiB', { metadata: { note: 'x'.repeat(MAX_METADATA_BYTES) } }, 'metadata'],
    ])('%s', async (_label, patch, field) => {
      await expectInvalid(mint(guest(patch)), field);
      expect(kit.directory.materialCalls).toEqual([]);
    });

    it('an nbf at or after exp', async () => {
      await expectInvalid(mint(guest({ nbf: START_S + 600 })), 'nbf');
    });

    it.each([
      ['claims that are not an object', { claims: 'sub=alice' }, 'claims'],
      ['no claims', { claims: undefined }, 'claims'],
      ['a bad tenant', { tenant: 'Not A Tenant' }, 'tenant'],
      ['no ttlSeconds', { ttlSeconds: undefined }, 'ttlSeconds'],
      ['a ttlSeconds of 0', { ttlSeconds: 0 }, 'ttlSeconds'],
      ['an unknown request field', { jti: 'chosen' }, 'jti'],
    ])('the request: %s', async (_label, patch, field) => {
      await expectInvalid(new InternalApiHandlers(internal).mint({ tenant: 'acme', ttlSeconds: 600, claims: guest(), ...patch }, NO_REQUEST), field);
    });

    it('a request that is not an object', async () => {
      await expect(new InternalApiHandlers(internal).mint('mint please', NO_REQUEST)).rejects.toBeInstanceOf(InvalidRequestError);
      await expect(new InternalApiHandlers(internal).mint(null, NO_REQUEST)).rejects.toBeInstanceOf(InvalidRequestError);
    });
  });
});
