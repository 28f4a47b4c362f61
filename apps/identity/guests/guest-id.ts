/** Guest user ids: the requested id (or `guest`) plus a random suffix, e.g. `alice-7f3k2q9a`. */
import { randomInt } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** 36^8 ≈ 2.8·10^12 suffixes per requested id. */
export const GUEST_ID_SUFFIX_LENGTH = 8;
export const MAX_USER_ID_LENGTH = 255;
export const GENERATED_GUEST_ID_BASE = 'guest';

function randomSuffix(): string {
  let suffix = '';
  for (let i = 0; i < GUEST_ID_SUFFIX_LENGTH; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return suffix;
}

/**
 * A fresh id for a guest that differs from `requested` and stays within 255 code points (a long
 * requested id is shortened, by whole code points, to make room for the suffix).
 */
export function uniqueGuestId(requested?: string, suffix: () => string = randomSuffix): string {
  const room = MAX_USER_ID_LENGTH - GUEST_ID_SUFFIX_LENGTH - 1;
  const base = requested === undefined ? GENERATED_GUEST_ID_BASE : Array.from(requested).slice(0, room).join('');
  for (;;) {
    const id = `${base}-${suffix()}`;
    if (id !== requested) return id;
  }
}
