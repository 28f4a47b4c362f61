import { CutoffRules } from './revocation-cutoffs';

describe('revocation cut-offs', () => {
  const at = Date.parse('2026-01-01T12:00:00.500Z');
  const second = (ms: number) => Math.floor(ms / 1000);

  it('refuses tokens of the user issued before the cut-off, including earlier in the same second', () => {
    const rules = new CutoffRules();
    rules.applyUser('t', 'carol', at);
    expect(rules.isRevoked('t', 'carol', second(at) - 10)).toBe(true);
    expect(rules.isRevoked('t', 'carol', second(at))).toBe(true);
    expect(rules.isRevoked('t', 'carol', second(at) + 1)).toBe(false);
    expect(rules.isRevoked('t', 'dave', second(at) - 10)).toBe(false);
    expect(rules.isRevoked('other', 'carol', second(at) - 10)).toBe(false);
  });

  it('keeps the later cut-off: an earlier one never undoes it', () => {
    const rules = new CutoffRules();
    rules.applyUser('t', 'carol', at);
    rules.applyUser('t', 'carol', at - 3_600_000);
    expect(rules.cutoffMs('t', 'carol')).toBe(at);
    rules.applyTenant('t', at - 60_000);
    rules.applyTenant('t', at - 120_000);
    expect(rules.cutoffMs('t', 'dave')).toBe(at - 60_000);
    // The later of the tenant's and the user's.
    expect(rules.cutoffMs('t', 'carol')).toBe(at);
    expect(rules.size).toBe(2);
  });

  it('forgets cut-offs that can refuse no living token', () => {
    const rules = new CutoffRules();
    rules.applyTenant('t', at);
    rules.applyUser('t', 'carol', at + 1000);
    rules.forgetOlderThan(at + 1);
    expect(rules.size).toBe(1);
    expect(rules.cutoffMs('t', 'x')).toBe(-Infinity);
  });
});
