import { isCanonicalBase64Url, isCanonicalCompactJws, jsonNestingExceeds } from './wire-input';

describe('JSON nesting', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(jsonNestingExceeds('[[1]]', 2)).toBe(false);
    expect(jsonNestingExceeds('[[[1]]]', 2)).toBe(true);
    expect(jsonNestingExceeds('{"a":{"b":[]}}', 3)).toBe(false);
    expect(jsonNestingExceeds('{"a":"[[[[[[[[","b":"\\"[[[["}', 1)).toBe(false);
  });

  it('refuses 5,000 levels at the contract limit of 64 and takes 64', () => {
    expect(jsonNestingExceeds('['.repeat(5000) + ']'.repeat(5000))).toBe(true);
    expect(jsonNestingExceeds('['.repeat(64) + ']'.repeat(64))).toBe(false);
    expect(jsonNestingExceeds('['.repeat(65) + ']'.repeat(65))).toBe(true);
  });
});

describe('canonical base64url', () => {
  it('takes what Buffer writes, for every length', () => {
    for (let n = 0; n < 40; n++) {
      const encoded = Buffer.from(Array.from({ length: n + 1 }, (_, i) => (i * 37 + n) & 0xff)).toString('base64url');
      expect(isCanonicalBase64Url(encoded)).toBe(true);
    }
  });

  it('refuses padding, other alphabets, impossible lengths and non-zero trailing bits', () => {
    expect(isCanonicalBase64Url('QQ==')).toBe(false);
    expect(isCanonicalBase64Url('a+b/')).toBe(false);
    expect(isCanonicalBase64Url('abcde')).toBe(false);
    expect(isCanonicalBase64Url('QR')).toBe(false); // 'QQ' is canonical for "A"; 'QR' decodes the same
    expect(isCanonicalBase64Url('QUF')).toBe(false); // 'QUE' is canonical for "AA"
    expect(isCanonicalBase64Url('')).toBe(false);
  });

  it('checks each segment of a compact JWS', () => {
    expect(isCanonicalCompactJws('eyJhIjoxfQ.eyJiIjoyfQ.c2ln')).toBe(true);
    expect(isCanonicalCompactJws('eyJhIjoxfQ.eyJiIjoyfQ.c2ln==')).toBe(false);
    expect(isCanonicalCompactJws('eyJhIjoxfQ.eyJiIjoyfQ')).toBe(false);
    expect(isCanonicalCompactJws('eyJhIjoxfQ..c2ln')).toBe(false);
    expect(isCanonicalCompactJws('a.b.c.d')).toBe(false);
  });
});
