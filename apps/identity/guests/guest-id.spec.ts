import { GUEST_ID_SUFFIX_LENGTH, MAX_USER_ID_LENGTH, uniqueGuestId } from './guest-id';

const codePoints = (value: string) => Array.from(value).length;

describe('uniqueGuestId', () => {
  it('appends a random suffix to the requested id, so it differs from it', () => {
    const id = uniqueGuestId('alice');
    expect(id).toMatch(new RegExp(`^alice-[a-z0-9]{${GUEST_ID_SUFFIX_LENGTH}}$`));
    expect(id).not.toBe('alice');
  });

  it('gives two guests asking for the same id two different ids', () => {
    const ids = new Set(Array.from({ length: 200 }, () => uniqueGuestId('alice')));
    expect(ids.size).toBe(200);
  });

  it('generates an id when none is asked for', () => {
    expect(uniqueGuestId()).toMatch(/^guest-[a-z0-9]{8}$/);
  });

  it('shortens a long id by whole code points to stay within 255', () => {
    const long = '😀'.repeat(255);
    const id = uniqueGuestId(long);
    expect(codePoints(id)).toBe(MAX_USER_ID_LENGTH);
    expect(id.isWellFormed()).toBe(true);
    expect(id.startsWith('😀'.repeat(MAX_USER_ID_LENGTH - GUEST_ID_SUFFIX_LENGTH - 1))).toBe(true);
  });

  it('draws again in the unlikely case the result equals what was asked', () => {
    const requested = 'x'.repeat(246) + '-aaaaaaaa';
    const draws = ['aaaaaaaa', 'bbbbbbbb'];
    expect(uniqueGuestId(requested, () => draws.shift()!)).toBe('x'.repeat(246) + '-bbbbbbbb');
  });
});
