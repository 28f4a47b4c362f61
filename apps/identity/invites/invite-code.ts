/**
 * Invite codes: `rk_inv_` and 32 base64url characters (192 random bits), shown once to the inviter.
 * The store keys an invite by the SHA-256 of its code, so neither the store nor an event ever holds
 * a code that could be redeemed.
 */
import { createHash, randomBytes } from 'node:crypto';

export const INVITE_CODE_PREFIX = 'rk_inv_';
const INVITE_CODE_PATTERN = /^rk_inv_[A-Za-z0-9_-]{32}$/;

export function newInviteCode(): string {
  return `${INVITE_CODE_PREFIX}${randomBytes(24).toString('base64url')}`;
}

export function isInviteCode(value: unknown): value is string {
  return typeof value === 'string' && INVITE_CODE_PATTERN.test(value);
}

/** The store key of a code: SHA-256, base64url (a valid NATS KV key). */
export function inviteKey(code: string): string {
  return createHash('sha256').update(code).digest('base64url');
}
