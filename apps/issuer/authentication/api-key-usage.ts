import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { MAX_API_KEY_USES_PER_REPORT } from '@roomkey/contracts';
import { CLOCK, KEY_DIRECTORY, type Clock, type KeyDirectory } from '../ports';

/** At most one report a minute per key and replica: `lastUsedAt` is coarse, and no request writes. */
export const USE_REPORT_INTERVAL_MS = 60_000;
/** Uses are gathered this long and sent together: one message for many keys, not one per key. */
export const USE_REPORT_DELAY_MS = 1000;
const MAX_TRACKED_KEYS = 100_000;

/** Tells the keys service, now and then, that API keys authenticated here (their `lastUsedAt`). */
@Injectable()
export class ApiKeyUsage implements OnModuleDestroy {
  private readonly logger = new Logger(ApiKeyUsage.name);
  private readonly reportedAt = new Map<string, number>();
  /** Uses not sent yet, by key. */
  private readonly pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(KEY_DIRECTORY) private readonly directory: KeyDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  used(apiKey: string): void {
    const now = this.clock.now();
    const last = this.reportedAt.get(apiKey);
    if (last !== undefined && now - last < USE_REPORT_INTERVAL_MS) return;
    if (this.reportedAt.size >= MAX_TRACKED_KEYS) this.reportedAt.clear();
    this.reportedAt.set(apiKey, now);
    if (!this.directory.reportApiKeyUses) return;
    this.pending.set(apiKey, now);
    this.timer ??= setTimeout(() => void this.flush(), USE_REPORT_DELAY_MS).unref();
  }

  /** Sends what is pending, in reports of at most MAX_API_KEY_USES_PER_REPORT keys. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const uses = [...this.pending].map(([apiKey, usedAt]) => ({ apiKey, usedAt }));
    this.pending.clear();
    for (let i = 0; i < uses.length; i += MAX_API_KEY_USES_PER_REPORT) {
      const report = uses.slice(i, i + MAX_API_KEY_USES_PER_REPORT);
      await this.directory.reportApiKeyUses?.(report).catch((error: Error) => this.logger.debug(`Could not report the use of ${report.length} API keys: ${error.message}`));
    }
  }

  onModuleDestroy(): void {
    // Best effort: the connection may already be draining.
    void this.flush();
  }
}
