import { Logger } from '@nestjs/common';
import type { SigningKeyState } from '@roomkey/contracts';
import { NotFoundError } from '@roomkey/errors';
import { importJWK, SignJWT, jwtVerify, type JWK } from 'jose';
import type { SigningKeyRecord } from '../ports';
import { KIT_START, createKeysTestKit, type KeysTestKit } from '../testing/keys-test-kit';
import { retirementDeadline } from './signing-key-lifecycle';
import { NO_REQUEST } from '@roomkey/nats';

Logger.overrideLogger(false);

const SECOND = 1000;
const DAY = 86400 * SECOND;
const RETIRE_DELAY = (86400 + 30 + 60) * SECOND;

function byState(keys: SigningKeyRecord[], state: SigningKeyState): SigningKeyRecord[] {
  return keys.filter((k) => k.state === state);
}

function only(keys: SigningKeyRecord[], state: SigningKeyState): SigningKeyRecord {
  const found = byState(keys, state);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('SigningKeyService', () => {
  let kit: KeysTestKit;

  beforeEach(async () => {
    kit = createKeysTestKit();
    await kit.tenants.create({ shortcode: 'acme', name: 'Acme' }, NO_REQUEST);
    kit.events.clear();
  });

  const keys = (tenant = 'acme') => kit.store.allSigningKeys(tenant);

  describe('rotate', () => {
    it('moves next → active, active → retiring, creates a fresh next and emits signing-key.rotated', async () => {
      const before = keys();
      const oldActive = only(before, 'active');
      const oldNext = only(before, 'next');
      kit.clock.advance(5 * DAY);
      const now = kit.clock.now();

      const view = await kit.signingKeys.rotate('acme', NO_REQUEST);

      const after = keys();
      expect(after).toHaveLength(3);
      const active = only(after, 'active');
      const retiring = only(after, 'retiring');
      const next = only(after, 'next');
      expect(active.kid).toBe(oldNext.kid);
      expect(active.activatedAt).toBe(now);
      expect(retiring.kid).toBe(oldActive.kid);
      expect(retiring.retiringAt).toBe(now);
      expect(retiring.retireAfter).toBe(now + RETIRE_DELAY);
      expect(next.kid).not.toBe(oldActive.kid);
      expect(next.kid).not.toBe(oldNext.kid);
      expect(next.createdAt).toBe(now);
      expect(next.alg).toBe('ES256');
      expect(JSON.parse(kit.secretBox.open(next.privateJwkCiphertext, next.kid)).kid).toBe(next.kid);

      expect(view).toEqual({ kid: oldNext.kid, alg: 'ES256', state: 'active', createdAt: new Date(oldNext.createdAt).toISOString(), publicJwk: oldNext.publicJwk });
      expect(kit.events.events).toEqual([{ tenant: 'acme', type: 'signing-key.rotated', fields: { kid: oldNext.kid, previousKid: oldActive.kid } }]);
    });

    it('keeps exactly one active and one next key over repeated rotations', async () => {
      const kids: string[] = [];
      for (let i = 0; i < 3; i++) {
        kit.clock.advance(SECOND);
        kids.push((await kit.signingKeys.rotate('acme', NO_REQUEST))!.kid);
      }
      const all = keys();
      expect(all).toHaveLength(5);
      expect(byState(all, 'active')).toHaveLength(1);
      expect(byState(all, 'next')).toHaveLength(1);
      expect(byState(all, 'retiring')).toHaveLength(3);
      expect(new Set(kids).size).toBe(3);
      const rotated = kit.events.ofType('signing-key.rotated');
      expect(rotated.map((e) => e.fields.kid)).toEqual(kids);
      expect(rotated[1].fields.previousKid).toBe(kids[0]);
      expect(rotated[2].fields.previousKid).toBe(kids[1]);
    });

    it('creates a next key first when there is none', async () => {
      const oldActive = only(keys(), 'active');
      const oldNext = only(keys(), 'next');
      // A tenant whose next key is gone (e.g. made by an older version): leave only the active key.
      const storeWithoutNext = kit.store.allSigningKeys().filter((k) => k.kid !== oldNext.kid);
      const fresh = createKeysTestKit();
      await fresh.store.tenants.insert(kit.store.allTenants()[0]);
      for (const key of storeWithoutNext) await fresh.store.signingKeys.insert(key);
      fresh.clock.set(KIT_START + DAY);

      const view = (await fresh.signingKeys.rotate('acme', NO_REQUEST))!;

      const after = fresh.store.allSigningKeys('acme');
      expect(after).toHaveLength(3);
      expect(only(after, 'retiring').kid).toBe(oldActive.kid);
      const active = only(after, 'active');
      expect(active.kid).toBe(view.kid);
      expect([oldActive.kid, oldNext.kid]).not.toContain(active.kid);
      expect(only(after, 'next').kid).not.toBe(active.kid);
      expect(fresh.events.events).toEqual([{ tenant: 'acme', type: 'signing-key.rotated', fields: { kid: active.kid, previousKid: oldActive.kid } }]);
    });

    it('activates the next key without a previousKid when there is no active key', async () => {
      const oldActive = only(keys(), 'active');
      const oldNext = only(keys(), 'next');
      const fresh = createKeysTestKit();
      await fresh.store.tenants.insert(kit.store.allTenants()[0]);
      await fresh.store.signingKeys.insert(oldNext);

      const view = (await fresh.signingKeys.rotate('acme', NO_REQUEST))!;

      expect(view.kid).toBe(oldNext.kid);
      const after = fresh.store.allSigningKeys('acme');
      expect(after.map((k) => k.kid)).not.toContain(oldActive.kid);
      expect(byState(after, 'retiring')).toHaveLength(0);
      expect(fresh.events.events).toEqual([{ tenant: 'acme', type: 'signing-key.rotated', fields: { kid: oldNext.kid } }]);
    });

    it('is NotFoundError for an unknown tenant and changes nothing', async () => {
      await expect(kit.signingKeys.rotate('globex', NO_REQUEST)).rejects.toBeInstanceOf(NotFoundError);
      expect(kit.store.allSigningKeys()).toHaveLength(2);
      expect(kit.events.events).toEqual([]);
    });
  });

  describe('list', () => {
    it('lists every key, active first, with public data only', async () => {
      kit.clock.advance(SECOND);
      await kit.signingKeys.rotate('acme', NO_REQUEST);
      kit.clock.advance(RETIRE_DELAY);
      await kit.signingKeys.sweep(0);
      const items = await kit.signingKeys.list('acme');
      expect(items.map((i) => i.state)).toEqual(['active', 'next', 'retired']);
      for (const item of items) {
        expect(Object.keys(item).sort()).toEqual(['alg', 'createdAt', 'kid', 'publicJwk', 'state']);
        expect(item.publicJwk).not.toHaveProperty('d');
        expect(item.publicJwk.kid).toBe(item.kid);
      }
      expect(JSON.stringify(items)).not.toContain('v1.');
    });

    it('is NotFoundError for an unknown tenant', async () => {
      await expect(kit.signingKeys.list('globex')).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('jwks', () => {
    it('lists the active and next keys of a new tenant, public parts only', async () => {
      const { keys: jwks } = await kit.signingKeys.jwks('acme');
      const stored = keys();
      expect(jwks.map((k) => k.kid)).toEqual([only(stored, 'active').kid, only(stored, 'next').kid]);
      for (const jwk of jwks) {
        expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
        expect(jwk).not.toHaveProperty('d');
      }
    });

    it('lists next, active and retiring keys but never retired ones', async () => {
      const first = only(keys(), 'active');
      kit.clock.advance(SECOND);
      await kit.signingKeys.rotate('acme', NO_REQUEST);
      const afterRotate = (await kit.signingKeys.jwks('acme')).keys.map((k) => k.kid);
      expect(afterRotate).toHaveLength(3);
      expect(afterRotate).toContain(first.kid);

      kit.clock.advance(RETIRE_DELAY);
      await kit.signingKeys.sweep(0);
      const afterRetire = (await kit.signingKeys.jwks('acme')).keys.map((k) => k.kid);
      expect(afterRetire).toHaveLength(2);
      expect(afterRetire).not.toContain(first.kid);
      expect(afterRetire.sort()).toEqual([only(keys(), 'active').kid, only(keys(), 'next').kid].sort());
    });

    it("never lists another tenant's keys", async () => {
      await kit.tenants.create({ shortcode: 'globex', name: 'Globex' }, NO_REQUEST);
      const acme = (await kit.signingKeys.jwks('acme')).keys.map((k) => k.kid);
      const globex = (await kit.signingKeys.jwks('globex')).keys.map((k) => k.kid);
      expect(acme.filter((kid) => globex.includes(kid))).toEqual([]);
      expect(globex.sort()).toEqual(keys('globex').map((k) => k.kid).sort());
    });

    it('is NotFoundError for an unknown tenant', async () => {
      await expect(kit.signingKeys.jwks('globex')).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('sweep', () => {
    it('retires a retiring key only once its deadline has passed, and emits signing-key.retired', async () => {
      const first = only(keys(), 'active');
      kit.clock.advance(SECOND);
      const rotatedAt = kit.clock.now();
      await kit.signingKeys.rotate('acme', NO_REQUEST);
      kit.events.clear();

      kit.clock.set(retirementDeadline(rotatedAt) - 1);
      await expect(kit.signingKeys.sweep(0)).resolves.toEqual({ retired: 0, rotated: 0 });
      expect(keys().find((k) => k.kid === first.kid)!.state).toBe('retiring');
      expect(kit.events.events).toEqual([]);

      kit.clock.set(retirementDeadline(rotatedAt));
      await expect(kit.signingKeys.sweep(0)).resolves.toEqual({ retired: 1, rotated: 0 });
      const retired = keys().find((k) => k.kid === first.kid)!;
      expect(retired.state).toBe('retired');
      expect(retired.retiredAt).toBe(retirementDeadline(rotatedAt));
      expect(kit.events.events).toEqual([{ tenant: 'acme', type: 'signing-key.retired', fields: { kid: first.kid } }]);

      // Nothing left to retire.
      kit.clock.advance(DAY);
      await expect(kit.signingKeys.sweep(0)).resolves.toEqual({ retired: 0, rotated: 0 });
    });

    it('does not rotate while the active key is younger than the interval', async () => {
      const active = only(keys(), 'active');
      kit.clock.set(KIT_START + 3600 * SECOND - SECOND);
      await expect(kit.signingKeys.sweep(3600)).resolves.toEqual({ retired: 0, rotated: 0 });
      expect(only(keys(), 'active').kid).toBe(active.kid);
      expect(kit.events.events).toEqual([]);
    });

    it('rotates once the active key is older than the interval, then not again until the interval passes anew', async () => {
      const active = only(keys(), 'active');
      kit.clock.set(KIT_START + 3600 * SECOND + SECOND);
      await expect(kit.signingKeys.sweep(3600)).resolves.toEqual({ retired: 0, rotated: 1 });
      const now = only(keys(), 'active');
      expect(now.kid).not.toBe(active.kid);
      expect(now.activatedAt).toBe(kit.clock.now());
      expect(kit.events.ofType('signing-key.rotated')).toEqual([
        { tenant: 'acme', type: 'signing-key.rotated', fields: { kid: now.kid, previousKid: active.kid } },
      ]);

      kit.clock.advance(60 * SECOND);
      await expect(kit.signingKeys.sweep(3600)).resolves.toEqual({ retired: 0, rotated: 0 });
      expect(only(keys(), 'active').kid).toBe(now.kid);
    });

    it('rotates only the tenants whose active key is old enough', async () => {
      kit.clock.set(KIT_START + 2 * DAY);
      await kit.tenants.create({ shortcode: 'globex', name: 'Globex' }, NO_REQUEST);
      const globexActive = only(keys('globex'), 'active');
      kit.clock.advance(SECOND);
      await expect(kit.signingKeys.sweep(86400)).resolves.toEqual({ retired: 0, rotated: 1 });
      expect(only(keys('globex'), 'active').kid).toBe(globexActive.kid);
      expect(kit.events.ofType('signing-key.rotated').map((e) => e.tenant)).toEqual(['acme']);
    });

    it('never rotates when the interval is 0', async () => {
      const active = only(keys(), 'active');
      kit.clock.advance(3650 * DAY);
      await expect(kit.signingKeys.sweep(0)).resolves.toEqual({ retired: 0, rotated: 0 });
      expect(only(keys(), 'active').kid).toBe(active.kid);
      expect(kit.events.events).toEqual([]);
    });
  });

  describe('signingMaterial', () => {
    it('gives the tenant, every published public key, and the sealed private JWK of the active key only', async () => {
      kit.clock.advance(SECOND);
      await kit.signingKeys.rotate('acme', NO_REQUEST);
      const material = await kit.signingKeys.signingMaterial('acme');

      expect(material.tenant).toEqual(await kit.tenants.get('acme'));
      expect(material.keys.map((k) => k.state).sort()).toEqual(['active', 'next', 'retiring']);
      for (const key of material.keys) {
        expect(key.publicJwk).not.toHaveProperty('d');
        if (key.state === 'active') expect(typeof key.encryptedPrivateJwk).toBe('string');
        else expect(key).not.toHaveProperty('encryptedPrivateJwk');
      }

      const active = material.keys.find((k) => k.state === 'active')!;
      expect(active.kid).toBe(only(keys(), 'active').kid);
      const privateJwk = JSON.parse(kit.secretBox.open(active.encryptedPrivateJwk!, active.kid)) as JWK;
      expect(privateJwk.kid).toBe(active.kid);
      expect(typeof privateJwk.d).toBe('string');
      expect(() => kit.secretBox.open(active.encryptedPrivateJwk!, 'another-kid')).toThrow();

      // The private key really is the pair of the published public key.
      const token = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'ES256' }).sign(await importJWK(privateJwk, 'ES256'));
      await expect(jwtVerify(token, await importJWK(active.publicJwk, 'ES256'))).resolves.toBeDefined();
    });

    it('leaves out retired keys', async () => {
      const first = only(keys(), 'active');
      kit.clock.advance(SECOND);
      await kit.signingKeys.rotate('acme', NO_REQUEST);
      kit.clock.advance(RETIRE_DELAY);
      await kit.signingKeys.sweep(0);
      const material = await kit.signingKeys.signingMaterial('acme');
      expect(material.keys.map((k) => k.kid)).not.toContain(first.kid);
      expect(material.keys).toHaveLength(2);
    });

    it('is NotFoundError for an unknown tenant', async () => {
      await expect(kit.signingKeys.signingMaterial('globex')).rejects.toBeInstanceOf(NotFoundError);
    });
  });
});
