/**
 * Checks on raw input made before anything parses it (contract §4): JSON nested deeper than 64
 * levels is refused before `JSON.parse` builds it, and a token's base64url segments must be in
 * canonical form (no padding, no stray trailing bits), so one token has one spelling.
 */

import { InvalidTokenError } from '@roomkey/errors';

export const MAX_JSON_DEPTH = 64;
/** Longer strings cannot be roomkey tokens (contract §4). */
export const MAX_TOKEN_LENGTH = 8192;

/** True when the JSON text nests arrays/objects deeper than `maxDepth` (strings are skipped). */
export function jsonNestingExceeds(text: string, maxDepth = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return false;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** RFC 7515 §2 base64url without padding, whose unused trailing bits are zero. */
export function isCanonicalBase64Url(segment: string): boolean {
  if (!BASE64URL.test(segment)) return false;
  const rest = segment.length % 4;
  if (rest === 1) return false;
  if (rest === 0) return true;
  const last = ALPHABET.indexOf(segment[segment.length - 1]);
  // 2 leftover characters carry 8 bits (4 unused), 3 carry 16 bits (2 unused).
  return rest === 2 ? (last & 0x0f) === 0 : (last & 0x03) === 0;
}

/** `header.payload.signature`, each segment canonical base64url. */
export function isCanonicalCompactJws(token: string): boolean {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first <= 0 || second <= first + 1 || second === token.length - 1 || token.indexOf('.', second + 1) !== -1) return false;
  return isCanonicalBase64Url(token.slice(0, first)) && isCanonicalBase64Url(token.slice(first + 1, second)) && isCanonicalBase64Url(token.slice(second + 1));
}

/** Refuses, before any decoding, a string that cannot be a token: too long, or not canonical JWS. */
export function assertTokenShape(token: string): void {
  if (token.length > MAX_TOKEN_LENGTH) throw new InvalidTokenError('longer than a token can be');
  if (!isCanonicalCompactJws(token)) throw new InvalidTokenError('not a compact JWS in canonical base64url');
}
