import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { KV } from '@nats-io/kv';
import { CLOCK_TOLERANCE_SECONDS, MAX_TOKEN_LIFETIME_SECONDS } from '@roomkey/contracts';
import { JETSTREAM_STORAGE, mirrorBucket, type JetStreamStorage } from '@roomkey/nats';
import { createHash } from 'node:crypto';
import { CLOCK, type Clock, type RevocationCutoffs } from '../ports';

const INITIAL_LOAD_TIMEOUT_MS = 15_000;
const SWEEP_INTERVAL_MS = 60_000;
/** A cut-off older than this can refuse no living token: every token issued before it has expired. */
export const RETENTION_MS = (MAX_TOKEN_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS + 60) * 1000;

/**
 * `iat` cut-offs in memory: one per tenant and one per revoked user (O(1) per rule, never a list of
 * jtis). Times are milliseconds since the epoch; a later cut-off replaces an earlier one, never the
 * reverse. A token is refused when its `iat` (whole seconds) is before the cut-off, so a token made
 * in the same second before it is refused too; TokenSigner gives tokens made after it an `iat` that
 * passes (see `earliestIat`).
 */
export class CutoffRules {
  private readonly tenants = new Map<string, number>();
  private readonly users = new Map<string, number>();

  applyTenant(tenant: string, issuedBeforeMs: number): void {
    if (issuedBeforeMs > (this.tenants.get(tenant) ?? -Infinity)) this.tenants.set(tenant, issuedBeforeMs);
  }

  applyUser(tenant: string, userId: string, issuedBeforeMs: number): void {
    const key = userKey(tenant, userId);
    if (issuedBeforeMs > (this.users.get(key) ?? -Infinity)) this.users.set(key, issuedBeforeMs);
  }

  /** The cut-off that applies to `sub` of `tenant` (the later of the tenant's and the user's), or -Infinity. */
  cutoffMs(tenant: string, sub: string): number {
    const tenantCutoff = this.tenants.get(tenant) ?? -Infinity;
    // Every token signed and verified asks: skip building the user key while no user cut-off exists.
    return this.users.size === 0 ? tenantCutoff : Math.max(tenantCutoff, this.users.get(userKey(tenant, sub)) ?? -Infinity);
  }

  isRevoked(tenant: string, sub: string, iat: number): boolean {
    return iat * 1000 < this.cutoffMs(tenant, sub);
  }

  /** Forgets cut-offs older than every living token. */
  forgetOlderThan(horizonMs: number): void {
    for (const map of [this.tenants, this.users]) for (const [key, cutoff] of map) if (cutoff < horizonMs) map.delete(key);
  }

  get size(): number {
    return this.tenants.size + this.users.size;
  }
}

function userKey(tenant: string, userId: string): string {
  return `${tenant}\u0000${userId}`;
}

/** What one KV entry holds. */
export interface CutoffEntry {
  tenant: string;
  userId?: string;
  issuedBefore: number;
}

/** KV keys: `{tenant}.tenant` and `{tenant}.user.{SHA-256 of the user id, base64url}` (user ids may hold any character). */
function entryKey(tenant: string, userId?: string): string {
  return userId === undefined ? `${tenant}.tenant` : `${tenant}.user.${createHash('sha256').update(userId, 'utf8').digest('base64url')}`;
}

/**
 * The cut-offs of every replica: kept in a JetStream KV bucket (so a replica started later knows
 * them) and mirrored into each replica's memory by a KV watch; verification asks memory only. The
 * replica that takes a revocation applies it at once; the others within the watch's delivery time.
 */
@Injectable()
export class KvRevocationCutoffs implements RevocationCutoffs, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(KvRevocationCutoffs.name);
  private readonly rules = new CutoffRules();
  private kv?: KV;
  private stopWatching?: () => void;
  private sweeper?: NodeJS.Timeout;

  constructor(
    @Inject(JETSTREAM_STORAGE) private readonly storage: JetStreamStorage,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.kv = await this.storage.openBucket('revocationCutoffs', RETENTION_MS);
    const mirror = await mirrorBucket(this.kv, { put: (_key, value) => this.apply(parseCutoffEntry(value)), remove: () => undefined }, INITIAL_LOAD_TIMEOUT_MS);
    this.stopWatching = () => mirror.stop();
    this.sweeper = setInterval(() => this.rules.forgetOlderThan(this.clock.now() - RETENTION_MS), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
    this.logger.log(`Revocation cut-offs loaded: ${this.rules.size}`);
  }

  revokeTenantBefore(tenant: string, issuedBeforeMs: number): Promise<void> {
    return this.store({ tenant, issuedBefore: issuedBeforeMs });
  }

  revokeUserBefore(tenant: string, userId: string, issuedBeforeMs: number): Promise<void> {
    return this.store({ tenant, userId, issuedBefore: issuedBeforeMs });
  }

  isRevoked(tenant: string, sub: string, iat: number): boolean {
    return this.rules.isRevoked(tenant, sub, iat);
  }

  cutoffMs(tenant: string, sub: string): number {
    return this.rules.cutoffMs(tenant, sub);
  }

  /** Applied here at once; stored only when later than what the bucket holds (compare-and-set). */
  private async store(entry: CutoffEntry): Promise<void> {
    this.apply(entry);
    const key = entryKey(entry.tenant, entry.userId);
    const value = JSON.stringify(entry);
    for (let attempt = 1; ; attempt++) {
      const current = await this.kv!.get(key);
      const known = current && current.operation === 'PUT' ? parseCutoffEntry(current.string()) : undefined;
      if (known && known.issuedBefore >= entry.issuedBefore) return;
      try {
        if (current) await this.kv!.update(key, value, current.revision);
        else await this.kv!.create(key, value);
        return;
      } catch (error) {
        // Another replica wrote the key meanwhile: read it again (a wrong revision); give up after a few.
        if (attempt >= 5) throw error;
      }
    }
  }

  private apply(entry: CutoffEntry | undefined): void {
    if (!entry) return;
    if (entry.userId === undefined) this.rules.applyTenant(entry.tenant, entry.issuedBefore);
    else this.rules.applyUser(entry.tenant, entry.userId, entry.issuedBefore);
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
    this.stopWatching?.();
  }
}

export function parseCutoffEntry(text: string): CutoffEntry | undefined {
  try {
    const value = JSON.parse(text) as CutoffEntry;
    if (typeof value.tenant !== 'string' || typeof value.issuedBefore !== 'number') return undefined;
    if (value.userId !== undefined && typeof value.userId !== 'string') return undefined;
    return value;
  } catch {
    return undefined;
  }
}

/** The memory-only cut-offs of unit tests (one replica). */
export class InMemoryRevocationCutoffs implements RevocationCutoffs {
  private readonly rules = new CutoffRules();

  async revokeTenantBefore(tenant: string, issuedBeforeMs: number): Promise<void> {
    this.rules.applyTenant(tenant, issuedBeforeMs);
  }

  async revokeUserBefore(tenant: string, userId: string, issuedBeforeMs: number): Promise<void> {
    this.rules.applyUser(tenant, userId, issuedBeforeMs);
  }

  isRevoked(tenant: string, sub: string, iat: number): boolean {
    return this.rules.isRevoked(tenant, sub, iat);
  }

  cutoffMs(tenant: string, sub: string): number {
    return this.rules.cutoffMs(tenant, sub);
  }
}
