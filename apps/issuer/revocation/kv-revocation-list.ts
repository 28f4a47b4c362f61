import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { KV } from '@nats-io/kv';
import { CLOCK_TOLERANCE_SECONDS, MAX_TOKEN_LIFETIME_SECONDS } from '@roomkey/contracts';
import { JETSTREAM_STORAGE, mirrorBucket, type JetStreamStorage } from '@roomkey/nats';
import { CLOCK, type Clock, type RevocationStore } from '../ports';

const INITIAL_LOAD_TIMEOUT_MS = 15_000;
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Revoked `jti`s in a JetStream KV bucket, mirrored in every replica's memory by a KV watch (which
 * replays what was revoked before this replica started). Verification asks memory only.
 * The bucket keeps an entry for the longest token lifetime; this nats-server version has no
 * per-entry TTL, so each replica also forgets entries whose token has expired.
 */
@Injectable()
export class KvRevocationList implements RevocationStore, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(KvRevocationList.name);
  private readonly revoked = new Map<string, number>();
  private kv?: KV;
  private stopWatching?: () => void;
  private sweeper?: NodeJS.Timeout;

  constructor(
    @Inject(JETSTREAM_STORAGE) private readonly storage: JetStreamStorage,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const ttlMs = (MAX_TOKEN_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS + 60) * 1000;
    this.kv = await this.storage.openBucket('revokedTokens', ttlMs);
    const mirror = await mirrorBucket(
      this.kv,
      {
        put: (key, value) => {
          try {
            this.revoked.set(key, (JSON.parse(value) as { exp: number }).exp);
          } catch {
            // not ours
          }
        },
        remove: (key) => this.revoked.delete(key),
      },
      INITIAL_LOAD_TIMEOUT_MS,
    );
    this.stopWatching = () => mirror.stop();
    this.sweeper = setInterval(() => this.forgetExpired(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
    this.logger.log(`Revocation list loaded: ${this.revoked.size} revoked tokens`);
  }

  /** Revoked tokens held (not yet expired): roomkey_revocation_list_entries. */
  get size(): number {
    return this.revoked.size;
  }

  async revoke(tenant: string, jti: string, exp: number): Promise<void> {
    const key = `${tenant}.${jti}`;
    this.revoked.set(key, exp);
    await this.kv!.put(key, JSON.stringify({ exp }));
  }

  isRevoked(tenant: string, jti: string): boolean {
    return this.revoked.has(`${tenant}.${jti}`);
  }

  private forgetExpired(): void {
    const cutoff = this.clock.now() / 1000 - CLOCK_TOLERANCE_SECONDS;
    for (const [key, exp] of this.revoked) if (exp < cutoff) this.revoked.delete(key);
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
    this.stopWatching?.();
  }
}
