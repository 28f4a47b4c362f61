import { createJwsSigner, type JwsAlgorithm, type JwsSigner } from '@roomkey/crypto';
import { SignJWT } from 'jose';
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalVerifier, RevocationState, VerificationError, can, type Jwk, type Jwks, type LocalVerifierOptions, type VerifiedClaims } from '@roomkey/verifier';

const ISSUER = 'http://roomkey.test/realms/acme';
const NOW = 1_750_000_000_000; // ms

interface TestKey {
  kid: string;
  alg: JwsAlgorithm;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: Jwk;
  signer: JwsSigner;
}

function makeKey(alg: JwsAlgorithm, kid = `${alg}-${randomUUID()}`): TestKey {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...(pair.publicKey.export({ format: 'jwk' }) as Jwk), kid, alg, use: 'sig' };
  // The issuer's code path: a signer over the private JWK as stored.
  const signer = createJwsSigner(pair.privateKey.export({ format: 'jwk' }), alg, kid, 'at+jwt');
  return { kid, alg, privateKey: pair.privateKey, publicKey: pair.publicKey, jwk, signer };
}

const es256 = makeKey('ES256');
const eddsa = makeKey('EdDSA');
const rs256 = makeKey('RS256');

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = Math.floor(NOW / 1000);
  return {
    iss: ISSUER,
    sub: 'user-1',
    aud: 'roomkey',
    iat,
    exp: iat + 3600,
    jti: randomUUID(),
    tid: 'acme',
    client_id: 'ak_test',
    role: 'HOST',
    perms: ['room:join', 'media:publish'],
    kind: 'user',
    ...overrides,
  };
}

/** A compact JWS with any header and payload, signed (or not) by `sign`. */
function handMade(header: object, payload: object, signature = ''): string {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${b64(header)}.${b64(payload)}.${signature}`;
}

interface Harness {
  verifier: LocalVerifier;
  fetches: () => number;
  clock: { now: number };
  jwks: Jwks;
  revocations: RevocationState;
}

function harness(options: Partial<LocalVerifierOptions> = {}, keys: TestKey[] = [es256, eddsa, rs256]): Harness {
  const clock = { now: NOW };
  const jwks: Jwks = { keys: keys.map((k) => k.jwk) };
  let fetches = 0;
  const revocations = new RevocationState({ now: () => clock.now });
  const verifier = new LocalVerifier({
    issuer: ISSUER,
    jwks: async () => {
      fetches++;
      await new Promise((resolve) => setImmediate(resolve));
      return structuredClone(jwks);
    },
    now: () => clock.now,
    revocations,
    ...options,
  });
  return { verifier, fetches: () => fetches, clock, jwks, revocations };
}

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as VerificationError).code).toBe('invalid_token');
    return (error as VerificationError).reason;
  }
  throw new Error('the token was accepted');
}

describe('LocalVerifier', () => {
  describe('valid tokens signed by the issuer code path', () => {
    it.each([es256, eddsa, rs256])('accepts $alg', async (key) => {
      const { verifier, fetches } = harness();
      const body = claims();
      const verified = await verifier.verify(key.signer.sign(body));
      expect(verified).toEqual(body);
      expect(fetches()).toBe(1);
    });

    it('fetches the JWKS once and then verifies from the cache, synchronously too', async () => {
      const { verifier, fetches } = harness();
      for (let i = 0; i < 20; i++) await verifier.verify(es256.signer.sign(claims()));
      expect(verifier.verifySync(eddsa.signer.sign(claims())).sub).toBe('user-1');
      expect(fetches()).toBe(1);
    });

    it('concurrent first verifications share one fetch', async () => {
      const { verifier, fetches } = harness();
      await Promise.all([es256, eddsa, rs256, es256].map((k) => verifier.verify(k.signer.sign(claims()))));
      expect(fetches()).toBe(1);
    });

    it('accepts a token from jose SignJWT with the right key and header', async () => {
      const { verifier } = harness();
      const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid: es256.kid, typ: 'at+jwt' }).sign(es256.privateKey);
      await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'user-1' });
    });
  });

  describe('algorithms', () => {
    it('refuses alg none', async () => {
      const { verifier } = harness();
      // Empty signature: not even a compact JWS in strict form; with a signature segment, the algorithm is refused.
      expect(await reason(verifier.verify(handMade({ alg: 'none', kid: es256.kid, typ: 'at+jwt' }, claims())))).toMatch(/compact JWS/);
      expect(await reason(verifier.verify(handMade({ alg: 'none', kid: es256.kid, typ: 'at+jwt' }, claims(), 'AAAA')))).toBe(
        'algorithm not allowed for the key',
      );
    });

    it('refuses HS256 signed with the public key bytes (PEM, DER and JWK)', async () => {
      const { verifier } = harness();
      for (const key of [es256, rs256, eddsa]) {
        const secrets = [
          Buffer.from(key.publicKey.export({ format: 'pem', type: 'spki' }) as string),
          key.publicKey.export({ format: 'der', type: 'spki' }),
          Buffer.from(JSON.stringify(key.jwk)),
        ];
        for (const secret of secrets) {
          const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'at+jwt' }).sign(new Uint8Array(secret));
          expect(await reason(verifier.verify(token))).toBe('algorithm not allowed for the key');
        }
      }
    });

    it('refuses a token whose alg is not its key’s (alg/key mismatch)', async () => {
      const { verifier } = harness();
      // Signed with the ES256 key's private half but claiming the RSA key's kid, and vice versa.
      const wrongKid = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid: rs256.kid, typ: 'at+jwt' }).sign(es256.privateKey);
      expect(await reason(verifier.verify(wrongKid))).toBe('algorithm not allowed for the key');
      // PS256 with the RSA key: same key type, algorithm not on its allowlist.
      const ps256 = await new SignJWT(claims()).setProtectedHeader({ alg: 'PS256', kid: rs256.kid, typ: 'at+jwt' }).sign(rs256.privateKey);
      expect(await reason(verifier.verify(ps256))).toBe('algorithm not allowed for the key');
      // The right key signing, the header naming another algorithm of the same family.
      const es384Header = handMade({ alg: 'ES384', kid: es256.kid, typ: 'at+jwt' }, claims(), es256.signer.sign(claims()).split('.')[2]);
      expect(await reason(verifier.verify(es384Header))).toBe('algorithm not allowed for the key');
    });

    it('ignores keys it must not use: oct, a JWK whose alg disagrees with its type, RSA under 2048 bits, use=enc', async () => {
      const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const smallJwk = { ...(small.publicKey.export({ format: 'jwk' }) as Jwk), kid: 'small', alg: 'RS256' };
      const { verifier } = harness({
        jwks: async () => ({
          keys: [
            { kty: 'oct', kid: 'hmac', k: 'c2VjcmV0' },
            { ...es256.jwk, kid: 'lying', alg: 'HS256' },
            { ...eddsa.jwk, kid: 'enc', use: 'enc' },
            smallJwk,
            es256.jwk,
          ],
        }),
      });
      await verifier.refresh();
      expect(verifier.knownKids).toEqual([es256.kid]);
      const smallToken = createJwsSigner(small.privateKey, 'RS256', 'small', 'at+jwt').sign(claims());
      expect(await reason(verifier.verify(smallToken))).toBe('unknown kid');
    });
  });

  describe('unknown kid', () => {
    it('refetches once, then refuses; a second unknown kid within the interval does not refetch', async () => {
      const { verifier, fetches, clock } = harness({ refetchIntervalMs: 5000 });
      await verifier.verify(es256.signer.sign(claims()));
      expect(fetches()).toBe(1);
      clock.now += 6000;
      const stranger = makeKey('ES256');
      expect(await reason(verifier.verify(stranger.signer.sign(claims())))).toBe('unknown kid');
      expect(fetches()).toBe(2);
      expect(await reason(verifier.verify(stranger.signer.sign(claims())))).toBe('unknown kid');
      expect(await reason(verifier.verify(makeKey('EdDSA').signer.sign(claims())))).toBe('unknown kid');
      expect(fetches()).toBe(2);
      clock.now += 5000;
      expect(await reason(verifier.verify(stranger.signer.sign(claims())))).toBe('unknown kid');
      expect(fetches()).toBe(3);
    });

    it('a flood of concurrent unknown kids shares one fetch', async () => {
      const { verifier, fetches, clock } = harness();
      await verifier.refresh();
      clock.now += 10_000;
      const strangers = Array.from({ length: 50 }, () => makeKey('EdDSA'));
      const reasons = await Promise.all(strangers.map((k) => reason(verifier.verify(k.signer.sign(claims())))));
      expect(new Set(reasons)).toEqual(new Set(['unknown kid']));
      expect(fetches()).toBe(2);
    });

    it('picks up a rotated key on the refetch', async () => {
      const { verifier, fetches, clock, jwks } = harness();
      await verifier.refresh();
      const next = makeKey('ES256');
      jwks.keys.push(next.jwk);
      clock.now += 5000;
      await expect(verifier.verify(next.signer.sign(claims()))).resolves.toMatchObject({ sub: 'user-1' });
      expect(fetches()).toBe(2);
    });

    it('keeps its last good keys when the JWKS endpoint fails, and does not hammer it', async () => {
      const clock = { now: NOW };
      let calls = 0;
      let down = false;
      const verifier = new LocalVerifier({
        issuer: ISSUER,
        now: () => clock.now,
        jwks: async () => {
          calls++;
          if (down) throw new Error('503');
          return { keys: [es256.jwk] };
        },
      });
      await verifier.refresh();
      down = true;
      clock.now += 10_000;
      expect(await reason(verifier.verify(makeKey('ES256').signer.sign(claims())))).toBe('unknown kid (JWKS unavailable)');
      expect(await reason(verifier.verify(makeKey('ES256').signer.sign(claims())))).toBe('unknown kid (JWKS unavailable)');
      expect(calls).toBe(2);
      await expect(verifier.verify(es256.signer.sign(claims()))).resolves.toBeDefined();
      await expect(verifier.refresh()).rejects.toThrow('503');
    });

    it('verifySync refuses an unknown kid without fetching', async () => {
      const { verifier, fetches } = harness();
      expect(() => verifier.verifySync(es256.signer.sign(claims()))).toThrow(VerificationError);
      expect(fetches()).toBe(0);
    });
  });

  describe('time claims (30 s tolerance)', () => {
    const now = Math.floor(NOW / 1000);

    it('refuses a token expired beyond the tolerance and accepts one within it', async () => {
      const { verifier } = harness();
      expect(await reason(verifier.verify(es256.signer.sign(claims({ iat: now - 3600, exp: now - 31 }))))).toBe('expired');
      expect(await reason(verifier.verify(es256.signer.sign(claims({ iat: now - 3600, exp: now - 30 }))))).toBe('expired');
      await expect(verifier.verify(es256.signer.sign(claims({ iat: now - 3600, exp: now - 29 })))).resolves.toBeDefined();
    });

    it('refuses nbf in the future beyond the tolerance; accepts it within', async () => {
      const { verifier } = harness();
      expect(await reason(verifier.verify(es256.signer.sign(claims({ nbf: now + 31 }))))).toBe('not yet valid (nbf)');
      await expect(verifier.verify(es256.signer.sign(claims({ nbf: now + 30 })))).resolves.toBeDefined();
    });

    it('refuses iat in the future beyond the tolerance, a missing exp, and non-numeric times', async () => {
      const { verifier } = harness();
      expect(await reason(verifier.verify(es256.signer.sign(claims({ iat: now + 120 }))))).toBe('issued in the future (iat)');
      expect(await reason(verifier.verify(es256.signer.sign(claims({ exp: undefined }))))).toBe('exp missing or not a number');
      expect(await reason(verifier.verify(es256.signer.sign(claims({ exp: `${now + 60}` }))))).toBe('exp missing or not a number');
      expect(await reason(verifier.verify(es256.signer.sign(claims({ nbf: 'soon' }))))).toBe('nbf not a number');
    });

    it('honours a configured tolerance', async () => {
      const { verifier } = harness({ clockToleranceSeconds: 0 });
      expect(await reason(verifier.verify(es256.signer.sign(claims({ iat: now - 60, exp: now - 1 }))))).toBe('expired');
    });
  });

  describe('issuer and audience', () => {
    it('refuses another issuer (another tenant’s token)', async () => {
      const { verifier } = harness();
      expect(await reason(verifier.verify(es256.signer.sign(claims({ iss: 'http://roomkey.test/realms/other' }))))).toBe('wrong issuer');
      expect(await reason(verifier.verify(es256.signer.sign(claims({ iss: undefined }))))).toBe('wrong issuer');
    });

    it('checks aud when an audience is configured (string or array claim)', async () => {
      const { verifier } = harness({ audience: 'media' });
      expect(await reason(verifier.verify(es256.signer.sign(claims({ aud: 'roomkey' }))))).toBe('wrong audience');
      expect(await reason(verifier.verify(es256.signer.sign(claims({ aud: undefined }))))).toBe('wrong audience');
      await expect(verifier.verify(es256.signer.sign(claims({ aud: 'media' })))).resolves.toBeDefined();
      await expect(verifier.verify(es256.signer.sign(claims({ aud: ['roomkey', 'media'] })))).resolves.toBeDefined();
    });

    it('does not check aud when none is configured', async () => {
      const { verifier } = harness();
      await expect(verifier.verify(es256.signer.sign(claims({ aud: 'anything' })))).resolves.toBeDefined();
    });
  });

  describe('tampering and spelling', () => {
    it('refuses a tampered payload and a tampered signature', async () => {
      const { verifier } = harness();
      for (const key of [es256, eddsa, rs256]) {
        const [h, , s] = key.signer.sign(claims()).split('.');
        const forged = Buffer.from(JSON.stringify(claims({ role: 'ADMIN', perms: ['room:admin'] }))).toString('base64url');
        expect(await reason(verifier.verify(`${h}.${forged}.${s}`))).toBe('bad signature');
        const [h2, p2, s2] = key.signer.sign(claims()).split('.');
        const sig = Buffer.from(s2, 'base64url');
        sig[5] ^= 0x01;
        expect(await reason(verifier.verify(`${h2}.${p2}.${sig.toString('base64url')}`))).toBe('bad signature');
      }
    });

    it('refuses a DER-encoded ES256 signature (r||s only) and a truncated one', async () => {
      const { verifier } = harness();
      const token = es256.signer.sign(claims());
      const [h, p] = token.split('.');
      // node:crypto's default ECDSA encoding is DER, which JWS does not use.
      const derSignature = sign('sha256', Buffer.from(`${h}.${p}`), es256.privateKey).toString('base64url');
      expect(await reason(verifier.verify(`${h}.${p}.${derSignature}`))).toBe('bad signature');
      expect(await reason(verifier.verify(`${h}.${p}.${token.split('.')[2].slice(0, 40)}`))).toBe('bad signature');
    });

    it('refuses padding, non-canonical trailing bits, whitespace, extra segments and oversize tokens', async () => {
      const { verifier } = harness();
      const token = es256.signer.sign(claims());
      const [h, p, s] = token.split('.');
      for (const bad of [`${token}==`, `${h}.${p}=.${s}`, `${h}=.${p}.${s}`, ` ${token}`, `${token}.`, `${token}.x`, `${h}..${s}`, '', 'a.b']) {
        expect(await reason(verifier.verify(bad))).toBe('not a compact JWS in canonical base64url');
      }
      // The signature's last character with a stray low bit set decodes to the same bytes: still refused.
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(s[s.length - 1]);
      const sibling = `${s.slice(0, -1)}${alphabet[last | 1]}`;
      expect(Buffer.from(sibling, 'base64url')).toEqual(Buffer.from(s, 'base64url'));
      expect(await reason(verifier.verify(`${h}.${p}.${sibling}`))).toBe('not a compact JWS in canonical base64url');
      expect(await reason(verifier.verify(es256.signer.sign(claims({ name: 'x'.repeat(9000) }))))).toBe('not a compact JWS in canonical base64url');
      await expect(verifier.verify(token)).resolves.toBeDefined();
    });

    it('refuses a header without typ at+jwt, with crit, or without kid; payloads that are not objects', async () => {
      const { verifier } = harness();
      const withHeader = (header: object, payload: object = claims()) =>
        new SignJWT(payload as Record<string, unknown>).setProtectedHeader(header as { alg: string }).sign(es256.privateKey);
      expect(await reason(verifier.verify(await withHeader({ alg: 'ES256', kid: es256.kid })))).toBe('typ is not at+jwt');
      expect(await reason(verifier.verify(await withHeader({ alg: 'ES256', kid: es256.kid, typ: 'JWT' })))).toBe('typ is not at+jwt');
      await expect(verifier.verify(await withHeader({ alg: 'ES256', kid: es256.kid, typ: 'application/at+jwt' }))).resolves.toBeDefined();
      expect(await reason(verifier.verify(await withHeader({ alg: 'ES256', typ: 'at+jwt' })))).toBe('alg or kid missing');
      const critical = handMade({ alg: 'ES256', kid: es256.kid, typ: 'at+jwt', crit: ['exp'], exp: 1 }, claims(), 'AAAA');
      expect(await reason(verifier.verify(critical))).toBe('unsupported crit header');
      const arrayPayload = `${Buffer.from(JSON.stringify({ alg: 'ES256', kid: es256.kid, typ: 'at+jwt' })).toString('base64url')}.${Buffer.from('[1]').toString('base64url')}`;
      const sig = sign('sha256', Buffer.from(arrayPayload), { key: es256.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
      expect(await reason(verifier.verify(`${arrayPayload}.${sig}`))).toBe('payload is not a JSON object');
    });

    it('refuses claims of the wrong shape for can(): perms or rooms not string arrays, sub or jti missing', async () => {
      const { verifier } = harness();
      expect(await reason(verifier.verify(es256.signer.sign(claims({ perms: 'room:join' }))))).toBe('bad perms');
      expect(await reason(verifier.verify(es256.signer.sign(claims({ rooms: 'lobby' }))))).toBe('bad rooms');
      expect(await reason(verifier.verify(es256.signer.sign(claims({ jti: undefined }))))).toBe('sub or jti missing');
    });
  });

  describe('revocation', () => {
    const now = Math.floor(NOW / 1000);

    it('refuses a revoked jti only', async () => {
      const { verifier, revocations } = harness();
      const revoked = claims();
      revocations.revokeJti(revoked.jti as string, revoked.exp as number);
      expect(await reason(verifier.verify(es256.signer.sign(revoked)))).toBe('revoked');
      await expect(verifier.verify(es256.signer.sign(claims()))).resolves.toBeDefined();
    });

    it('refuses a user’s tokens issued before the cut-off, not later ones nor other users’', async () => {
      const { verifier, revocations } = harness();
      revocations.revokeUserBefore('user-1', now);
      expect(await reason(verifier.verify(es256.signer.sign(claims({ iat: now - 1 }))))).toBe('revoked');
      await expect(verifier.verify(es256.signer.sign(claims({ iat: now })))).resolves.toBeDefined();
      await expect(verifier.verify(es256.signer.sign(claims({ sub: 'user-2', iat: now - 1 })))).resolves.toBeDefined();
      // An earlier cut-off arriving late does not undo the later one.
      revocations.revokeUserBefore('user-1', now - 100);
      expect(await reason(verifier.verify(es256.signer.sign(claims({ iat: now - 1 }))))).toBe('revoked');
    });

    it('refuses every token issued before the tenant cut-off', async () => {
      const { verifier, revocations } = harness();
      revocations.revokeTenantBefore(now);
      expect(await reason(verifier.verify(eddsa.signer.sign(claims({ sub: 'anyone', iat: now - 5 }))))).toBe('revoked');
      expect(await reason(verifier.verify(eddsa.signer.sign(claims({ iat: undefined }))))).toBe('revoked');
      await expect(verifier.verify(eddsa.signer.sign(claims({ iat: now })))).resolves.toBeDefined();
    });

    it('refuses every token of a revoked signing key', async () => {
      const { verifier, revocations } = harness();
      revocations.revokeKid(rs256.kid);
      expect(await reason(verifier.verify(rs256.signer.sign(claims())))).toBe('revoked');
      await expect(verifier.verify(es256.signer.sign(claims()))).resolves.toBeDefined();
    });

    it('accepts any RevocationCheck the caller plugs in', async () => {
      const seen: Array<[unknown, string]> = [];
      const { verifier } = harness({
        revocations: {
          isRevoked: (c, kid) => {
            seen.push([c.jti, kid]);
            return c.sub === 'banned';
          },
        },
      });
      expect(await reason(verifier.verify(es256.signer.sign(claims({ sub: 'banned' }))))).toBe('revoked');
      await expect(verifier.verify(es256.signer.sign(claims()))).resolves.toBeDefined();
      expect(seen.map(([, kid]) => kid)).toEqual([es256.kid, es256.kid]);
    });
  });

  describe('can()', () => {
    const base = { perms: ['room:join', 'media:publish'] } as Pick<VerifiedClaims, 'perms' | 'rooms'>;

    it('grants a listed permission in any room when the token has no rooms claim', () => {
      expect(can(base, 'room:join', 'lobby')).toBe(true);
      expect(can(base, 'room:admin', 'lobby')).toBe(false);
    });

    it('limits to the listed rooms when the token names some', () => {
      const { verifier } = harness();
      const restricted = { ...base, rooms: ['lobby', 'stage'] };
      expect(verifier.can(restricted, 'media:publish', 'stage')).toBe(true);
      expect(verifier.can(restricted, 'media:publish', 'backstage')).toBe(false);
      expect(verifier.can(restricted, 'room:admin', 'stage')).toBe(false);
    });

    it('refuses a token without perms', () => {
      expect(can({}, 'room:join', 'lobby')).toBe(false);
      expect(can({ perms: undefined, rooms: ['lobby'] }, 'room:join', 'lobby')).toBe(false);
    });

    it('works on verified claims end to end', async () => {
      const { verifier } = harness();
      const verified = await verifier.verify(es256.signer.sign(claims({ rooms: ['lobby'] })));
      expect(verifier.can(verified, 'room:join', 'lobby')).toBe(true);
      expect(verifier.can(verified, 'room:join', 'elsewhere')).toBe(false);
    });
  });
});

describe('libs/verifier stays embeddable', () => {
  it('imports nothing but node:crypto and its own files (no NestJS, no other @roomkey lib), so the SDK can ship it', () => {
    for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))) {
      const source = readFileSync(join(__dirname, file), 'utf8');
      const specifiers = [...source.matchAll(/\bfrom\s+'([^']+)'/g)].map((m) => m[1]);
      for (const specifier of specifiers) expect([file, specifier]).toEqual([file, expect.stringMatching(/^(node:crypto|\.\/[\w-]+)$/)]);
    }
  });
});

describe('RevocationState', () => {
  it('forgets revoked jtis once they have expired beyond the tolerance', () => {
    const clock = { now: NOW };
    const state = new RevocationState({ now: () => clock.now, clockToleranceSeconds: 30 });
    const now = Math.floor(NOW / 1000);
    state.revokeJti('short', now + 10);
    state.revokeJti('long', now + 3600);
    expect(state.revokedTokenCount).toBe(2);
    clock.now += 41_000;
    state.prune();
    expect(state.revokedTokenCount).toBe(1);
    expect(state.isRevoked({ jti: 'long' }, 'k')).toBe(true);
  });
});
