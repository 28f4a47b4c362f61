/**
 * The signing-key lifecycle as an explicit state machine with guarded transitions:
 *
 *   next ──activate──▶ active ──startRetiring──▶ retiring ──retire──▶ retired
 *     └───────────────────┴──────────────────────────┴──revoke──▶ revoked
 *
 * `next` is published in the JWKS before it signs anything; `retiring` stays published until every
 * token it signed has expired (+ clock tolerance), which the `retire` guard enforces. `revoke` is for
 * a compromised key: it leaves the JWKS at once and every token it signed stops verifying.
 */
import { CLOCK_TOLERANCE_SECONDS, MAX_TOKEN_LIFETIME_SECONDS, type SigningKeyState } from '@roomkey/contracts';
import { ConflictError } from '@roomkey/errors';
import type { SigningKeyRecord } from '../ports';

export const SIGNING_KEY_TRANSITIONS: Readonly<Record<SigningKeyState, readonly SigningKeyState[]>> = {
  next: ['active', 'revoked'],
  active: ['retiring', 'revoked'],
  retiring: ['retired', 'revoked'],
  retired: [],
  revoked: [],
};

/** States whose public key the JWKS lists. */
export const PUBLISHED_STATES: readonly SigningKeyState[] = ['next', 'active', 'retiring'];

/**
 * Slack for an issuer replica that signed with the old key just before it heard of the rotation
 * (events arrive within milliseconds; a disconnected replica drops its keys).
 */
export const ROTATION_PROPAGATION_MARGIN_SECONDS = 60;

export class SigningKeyTransitionError extends ConflictError {}

export function canTransition(from: SigningKeyState, to: SigningKeyState): boolean {
  return SIGNING_KEY_TRANSITIONS[from].includes(to);
}

function guard(key: SigningKeyRecord, to: SigningKeyState): void {
  if (!canTransition(key.state, to)) {
    throw new SigningKeyTransitionError(`Signing key ${key.kid} cannot go from ${key.state} to ${to}`);
  }
}

/** When a key that starts retiring at `retiringAt` may become retired. */
export function retirementDeadline(retiringAt: number): number {
  return retiringAt + (MAX_TOKEN_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS + ROTATION_PROPAGATION_MARGIN_SECONDS) * 1000;
}

export function activate(key: SigningKeyRecord, now: number): SigningKeyRecord {
  guard(key, 'active');
  return { ...key, state: 'active', activatedAt: now };
}

export function startRetiring(key: SigningKeyRecord, now: number): SigningKeyRecord {
  guard(key, 'retiring');
  return { ...key, state: 'retiring', retiringAt: now, retireAfter: retirementDeadline(now) };
}

export function retire(key: SigningKeyRecord, now: number): SigningKeyRecord {
  guard(key, 'retired');
  if (key.retireAfter === null || now < key.retireAfter) {
    throw new SigningKeyTransitionError(`Signing key ${key.kid} may still have live tokens until ${new Date(key.retireAfter ?? now).toISOString()}`);
  }
  return { ...key, state: 'retired', retiredAt: now };
}

export function revoke(key: SigningKeyRecord, now: number): SigningKeyRecord {
  guard(key, 'revoked');
  return { ...key, state: 'revoked', retiredAt: now };
}
