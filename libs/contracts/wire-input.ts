/**
 * Checks on raw input made before anything parses it (contract §4): JSON nested deeper than 64
 * levels is refused before `JSON.parse` builds it, and a token's base64url segments must be in
 * canonical form (no padding, no stray trailing bits), so one token has one spelling.
 */

import { InvalidTokenError } from '@roomkey/errors';
import { MAX_TOKEN_LENGTH, isCanonicalBase64Url, splitCompactJws } from '@roomkey/verifier';

export const MAX_JSON_DEPTH = 64;
export { MAX_TOKEN_LENGTH, isCanonicalBase64Url };

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

/** Compact JWS with each segment canonical base64url (one definition, in the NestJS-free verifier). */
export function isCanonicalCompactJws(token: string): boolean {
  return splitCompactJws(token) !== undefined;
}

/** Refuses, before any decoding, a string that cannot be a token: too long, or not canonical JWS. */
export function assertTokenShape(token: string): void {
  if (token.length > MAX_TOKEN_LENGTH) throw new InvalidTokenError('longer than a token can be');
  if (!isCanonicalCompactJws(token)) throw new InvalidTokenError('not a compact JWS in canonical base64url');
}
