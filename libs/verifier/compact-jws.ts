/**
 * Strict compact-JWS shape (contract §4): each segment canonical base64url — no padding, no stray
 * trailing bits — so one token has one spelling. Defined here, in the NestJS-free library the SDK
 * ships; libs/contracts/wire-input.ts uses it for the services.
 */

/** Longer strings cannot be roomkey tokens (contract §4). */
export const MAX_TOKEN_LENGTH = 8192;

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

/** The three segments of `header.payload.signature` when each is canonical base64url; otherwise undefined. */
export function splitCompactJws(token: string): [string, string, string] | undefined {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return undefined;
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first <= 0 || second <= first + 1 || second === token.length - 1 || token.indexOf('.', second + 1) !== -1) return undefined;
  const header = token.slice(0, first);
  const payload = token.slice(first + 1, second);
  const signature = token.slice(second + 1);
  if (!isCanonicalBase64Url(header) || !isCanonicalBase64Url(payload) || !isCanonicalBase64Url(signature)) return undefined;
  return [header, payload, signature];
}
