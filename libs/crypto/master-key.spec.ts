import { randomBytes } from 'node:crypto';
import { SecretBox, SecretHasher, randomBase62, randomToken, safeEqual } from './master-key';

const masterKey = () => randomBytes(32);

describe('SecretBox', () => {
  const box = new SecretBox(masterKey());

  it('opens what it sealed (with the same associated data)', () => {
    const plaintext = JSON.stringify({ kty: 'EC', d: 'secret-part', note: 'ünïcødé 😀' });
    const sealed = box.seal(plaintext, 'kid-1');
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('secret-part');
    expect(box.open(sealed, 'kid-1')).toBe(plaintext);
  });

  it('round-trips the empty string', () => {
    expect(box.open(box.seal('', 'ad'), 'ad')).toBe('');
  });

  it('refuses to open with other associated data (a ciphertext cannot move between records)', () => {
    const sealed = box.seal('s3cret', 'rk_prod_a');
    expect(() => box.open(sealed, 'rk_prod_b')).toThrow();
    expect(() => box.open(sealed, '')).toThrow();
  });

  it('refuses a tampered ciphertext, tag or iv', () => {
    const sealed = box.seal('s3cret value', 'ad');
    const [version, iv, body] = sealed.split('.');
    const flip = (text: string, index: number) => {
      const bytes = Buffer.from(text, 'base64url');
      bytes[index] ^= 0x01;
      return bytes.toString('base64url');
    };
    expect(() => box.open(`${version}.${iv}.${flip(body, 0)}`, 'ad')).toThrow();
    expect(() => box.open(`${version}.${iv}.${flip(body, Buffer.from(body, 'base64url').length - 1)}`, 'ad')).toThrow();
    expect(() => box.open(`${version}.${flip(iv, 0)}.${body}`, 'ad')).toThrow();
    expect(() => box.open(`v2.${iv}.${body}`, 'ad')).toThrow('Unknown ciphertext format');
    expect(() => box.open('garbage', 'ad')).toThrow('Unknown ciphertext format');
  });

  it('refuses to open under another master key', () => {
    const sealed = box.seal('s3cret', 'ad');
    expect(() => new SecretBox(masterKey()).open(sealed, 'ad')).toThrow();
  });

  it('gives a different ciphertext for every seal of the same plaintext', () => {
    const a = box.seal('same', 'ad');
    const b = box.seal('same', 'ad');
    expect(a).not.toBe(b);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
    expect(box.open(a, 'ad')).toBe(box.open(b, 'ad'));
  });

  it.each([0, 16, 31, 33])('rejects a master key of %i bytes', (length) => {
    expect(() => new SecretBox(randomBytes(length))).toThrow('32 bytes');
  });
});

describe('SecretHasher', () => {
  const key = masterKey();
  const hasher = new SecretHasher(key);

  it('hashes deterministically to 64 hex characters that do not contain the secret', () => {
    const hash = hasher.hash('the-secret');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hasher.hash('the-secret')).toBe(hash);
    expect(new SecretHasher(Buffer.from(key)).hash('the-secret')).toBe(hash);
  });

  it('matches the right secret and no other', () => {
    const stored = hasher.hash('the-secret');
    expect(hasher.matches('the-secret', stored)).toBe(true);
    expect(hasher.matches('the-secreT', stored)).toBe(false);
    expect(hasher.matches('', stored)).toBe(false);
    expect(hasher.matches('the-secret', stored.slice(0, 62))).toBe(false);
    expect(hasher.matches('the-secret', '')).toBe(false);
    expect(hasher.matches('the-secret', 'zz')).toBe(false);
  });

  it('gives different hashes under different master keys or purposes', () => {
    const hash = hasher.hash('the-secret');
    expect(new SecretHasher(masterKey()).hash('the-secret')).not.toBe(hash);
    expect(new SecretHasher(key, 'other-purpose').hash('the-secret')).not.toBe(hash);
    expect(new SecretHasher(masterKey()).matches('the-secret', hash)).toBe(false);
  });
});

describe('randomBase62', () => {
  it.each([1, 24, 100])('returns %i characters of [0-9A-Za-z]', (length) => {
    const value = randomBase62(length);
    expect(value).toHaveLength(length);
    expect(value).toMatch(/^[0-9A-Za-z]*$/);
  });

  it('returns the empty string for length 0 and different values each call', () => {
    expect(randomBase62(0)).toBe('');
    expect(randomBase62(24)).not.toBe(randomBase62(24));
  });

  it('uses the whole alphabet', () => {
    const seen = new Set(randomBase62(20_000));
    expect(seen.size).toBe(62);
  });
});

describe('randomToken', () => {
  it('returns base64url of the requested number of bytes', () => {
    expect(randomToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(randomToken(16), 'base64url')).toHaveLength(16);
    expect(randomToken()).not.toBe(randomToken());
  });
});

describe('safeEqual', () => {
  it('is true for equal strings and false otherwise, whatever the lengths', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('abc', '')).toBe(false);
    expect(safeEqual('😀', '😁')).toBe(false);
  });
});
