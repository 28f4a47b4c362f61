/**
 * What a local verifier knows has been revoked (contract §5 events; issue 15's live revocations):
 * single tokens by `jti` (remembered until they would have expired anyway), a user's tokens issued
 * before a cut-off, every token issued before a tenant cut-off, and whole signing keys. Times are
 * seconds since the epoch, as in the claims.
 */
export interface RevocationCheck {
  /** True when the token with these claims, signed with `kid`, must be refused. */
  isRevoked(claims: RevocableClaims, kid: string): boolean;
}

/** The claims revocation looks at. */
export interface RevocableClaims {
  jti?: unknown;
  sub?: unknown;
  iat?: unknown;
}

export interface RevocationStateOptions {
  /** Current time in milliseconds (tests pass a fake clock). */
  now?: () => number;
  /** Tokens whose `exp` is this far in the past are forgotten (the verifier's clock tolerance). */
  clockToleranceSeconds?: number;
}

export class RevocationState implements RevocationCheck {
  private readonly jtis = new Map<string, number>();
  private readonly userCutoffs = new Map<string, number>();
  private tenantCutoff = -Infinity;
  private readonly kids = new Set<string>();
  private readonly now: () => number;
  private readonly toleranceSeconds: number;
  private nextPruneAt = 0;

  constructor(options: RevocationStateOptions = {}) {
    this.now = options.now ?? Date.now;
    this.toleranceSeconds = options.clockToleranceSeconds ?? 30;
  }

  /** Refuses the token `jti`; remembered until `exp` (plus the clock tolerance) has passed. */
  revokeJti(jti: string, exp: number): void {
    const known = this.jtis.get(jti);
    if (known === undefined || exp > known) this.jtis.set(jti, exp);
    this.prune();
  }

  /** Refuses the tokens of `sub` issued (`iat`) before `issuedBefore`; a later cut-off replaces an earlier one, never the reverse. */
  revokeUserBefore(sub: string, issuedBefore: number): void {
    const known = this.userCutoffs.get(sub);
    if (known === undefined || issuedBefore > known) this.userCutoffs.set(sub, issuedBefore);
  }

  /** Refuses every token issued (`iat`) before `issuedBefore`. */
  revokeTenantBefore(issuedBefore: number): void {
    if (issuedBefore > this.tenantCutoff) this.tenantCutoff = issuedBefore;
  }

  /** Refuses every token signed with the key `kid`. */
  revokeKid(kid: string): void {
    this.kids.add(kid);
  }

  isRevoked(claims: RevocableClaims, kid: string): boolean {
    if (this.kids.has(kid)) return true;
    // A token without a numeric iat cannot be shown to postdate a cut-off: refused whenever one applies.
    const iat = typeof claims.iat === 'number' ? claims.iat : -Infinity;
    if (iat < this.tenantCutoff) return true;
    if (typeof claims.jti === 'string' && this.jtis.has(claims.jti)) return true;
    if (typeof claims.sub === 'string') {
      const cutoff = this.userCutoffs.get(claims.sub);
      if (cutoff !== undefined && iat < cutoff) return true;
    }
    return false;
  }

  /** How many revoked token ids are remembered (expired ones are forgotten). */
  get revokedTokenCount(): number {
    return this.jtis.size;
  }

  /** Forgets revoked tokens that have expired beyond the tolerance; at most once a second. */
  prune(): void {
    const nowMs = this.now();
    if (nowMs < this.nextPruneAt) return;
    this.nextPruneAt = nowMs + 1000;
    const horizon = nowMs / 1000 - this.toleranceSeconds;
    for (const [jti, exp] of this.jtis) if (exp < horizon) this.jtis.delete(jti);
  }
}
