import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, KEY_DIRECTORY, type Clock, type KeyDirectory } from '../ports';

/** At most one report a minute per key and replica: `lastUsedAt` is coarse, and no request writes. */
export const USE_REPORT_INTERVAL_MS = 60_000;
const MAX_TRACKED_KEYS = 100_000;

/** Tells the keys service, now and then, that an API key authenticated here (its `lastUsedAt`). */
@Injectable()
export class ApiKeyUsage {
  private readonly logger = new Logger(ApiKeyUsage.name);
  private readonly reportedAt = new Map<string, number>();

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
    this.directory.reportApiKeyUse?.(apiKey, now).catch((error: Error) => this.logger.debug(`Could not report the use of ${apiKey}: ${error.message}`));
  }
}
