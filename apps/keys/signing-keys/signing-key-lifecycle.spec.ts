import type { SigningKeyState } from '@roomkey/contracts';
import { ConflictError } from '@roomkey/errors';
import type { SigningKeyRecord } from '../ports';
import {
  PUBLISHED_STATES,
  ROTATION_PROPAGATION_MARGIN_SECONDS,
  SIGNING_KEY_TRANSITIONS,
  SigningKeyTransitionError,
  activate,
  canTransition,
  retire,
  retirementDeadline,
  revoke,
  startRetiring,
} from './signing-key-lifecycle';

const T0 = Date.UTC(2026, 0, 1);
const DEADLINE_MS = (86400 + 30 + 60) * 1000;
const STATES: SigningKeyState[] = ['next', 'active', 'retiring', 'retired', 'revoked'];

function key(state: SigningKeyState, patch: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  return {
    kid: `kid-${state}`,
    tenant: 'acme',
    alg: 'ES256',
    state,
    publicJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' },
    privateJwkCiphertext: 'v1.iv.body',
    createdAt: T0 - 1000,
    activatedAt: state === 'next' ? null : T0 - 500,
    retiringAt: state === 'retiring' || state === 'retired' ? T0 : null,
    retireAfter: state === 'retiring' || state === 'retired' ? retirementDeadline(T0) : null,
    retiredAt: state === 'retired' ? T0 + DEADLINE_MS : null,
    ...patch,
  };
}

const OPERATIONS: Record<'active' | 'retiring' | 'retired' | 'revoked', (k: SigningKeyRecord, now: number) => SigningKeyRecord> = {
  active: activate,
  retiring: startRetiring,
  retired: retire,
  revoked: revoke,
};

describe('SIGNING_KEY_TRANSITIONS', () => {
  it('is next → active → retiring → retired, with revoked reachable from any published state, and nothing else', () => {
    expect(SIGNING_KEY_TRANSITIONS).toEqual({
      next: ['active', 'revoked'],
      active: ['retiring', 'revoked'],
      retiring: ['retired', 'revoked'],
      retired: [],
      revoked: [],
    });
  });

  it('publishes next, active and retiring keys, never retired ones', () => {
    expect([...PUBLISHED_STATES].sort()).toEqual(['active', 'next', 'retiring']);
  });

  it.each(STATES.flatMap((from) => STATES.map((to) => [from, to] as const)))('canTransition(%s, %s)', (from, to) => {
    const allowed =
      (from === 'next' && to === 'active') ||
      (from === 'active' && to === 'retiring') ||
      (from === 'retiring' && to === 'retired') ||
      (['next', 'active', 'retiring'].includes(from) && to === 'revoked');
    expect(canTransition(from, to)).toBe(allowed);
  });
});

describe('transitions', () => {
  // Every (state, operation) pair: allowed ones succeed, the rest throw SigningKeyTransitionError.
  const pairs = STATES.flatMap((from) => (Object.keys(OPERATIONS) as (keyof typeof OPERATIONS)[]).map((to) => [from, to] as const));

  it.each(pairs.filter(([from, to]) => canTransition(from, to)))('%s → %s is allowed', (from, to) => {
    const now = to === 'retired' ? retirementDeadline(T0) : T0 + 10;
    const before = key(from);
    const after = OPERATIONS[to](before, now);
    expect(after.state).toBe(to);
    expect(after.kid).toBe(before.kid);
    expect(before.state).toBe(from); // the input record is not mutated
  });

  it.each(pairs.filter(([from, to]) => !canTransition(from, to)))('%s → %s is forbidden', (from, to) => {
    const before = key(from);
    let caught: unknown;
    try {
      OPERATIONS[to](before, T0 + 10 * DEADLINE_MS);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SigningKeyTransitionError);
    expect(caught).toBeInstanceOf(ConflictError);
    expect((caught as ConflictError).status).toBe(409);
    expect((caught as Error).message).toContain(before.kid);
    expect(before.state).toBe(from);
  });

  it('activate stamps activatedAt', () => {
    expect(activate(key('next'), T0 + 5)).toMatchObject({ state: 'active', activatedAt: T0 + 5 });
  });

  it('startRetiring stamps retiringAt and the retirement deadline', () => {
    const retiring = startRetiring(key('active'), T0 + 7);
    expect(retiring).toMatchObject({ state: 'retiring', retiringAt: T0 + 7, retireAfter: T0 + 7 + DEADLINE_MS });
    expect(retiring.activatedAt).toBe(T0 - 500);
  });

  it('retire is refused before retireAfter and allowed at and after it', () => {
    const retiring = startRetiring(key('active'), T0);
    expect(() => retire(retiring, T0)).toThrow(SigningKeyTransitionError);
    expect(() => retire(retiring, T0 + DEADLINE_MS - 1)).toThrow(SigningKeyTransitionError);
    expect(retire(retiring, T0 + DEADLINE_MS)).toMatchObject({ state: 'retired', retiredAt: T0 + DEADLINE_MS });
    expect(retire(retiring, T0 + DEADLINE_MS + 1)).toMatchObject({ state: 'retired', retiredAt: T0 + DEADLINE_MS + 1 });
  });

  it('retire is refused for a retiring key without a deadline', () => {
    expect(() => retire(key('retiring', { retireAfter: null }), T0 + 100 * DEADLINE_MS)).toThrow(SigningKeyTransitionError);
  });
});

describe('retirementDeadline', () => {
  it('is retiringAt + (86400 + 30 + 60) seconds', () => {
    expect(ROTATION_PROPAGATION_MARGIN_SECONDS).toBe(60);
    expect(retirementDeadline(T0)).toBe(T0 + 86_490_000);
    expect(retirementDeadline(0)).toBe(DEADLINE_MS);
  });
});
