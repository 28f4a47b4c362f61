import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { KeysConfig } from '@roomkey/config';
import { KEYS_CONFIG } from '../ports';
import { SigningKeyService } from './signing-key.service';

/** Runs the signing-key sweep on a timer: scheduled rotation and retirement of expired keys. */
@Injectable()
export class RotationScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RotationScheduler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly signingKeys: SigningKeyService,
    @Inject(KEYS_CONFIG) private readonly config: KeysConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce(), this.config.sweepIntervalSeconds * 1000);
    this.timer.unref();
    void this.runOnce();
  }

  async runOnce(): Promise<void> {
    if (this.running) return;
    this.running = this.signingKeys
      .sweep(this.config.rotationIntervalSeconds)
      .then(({ retired, rotated }) => {
        if (retired || rotated) this.logger.log(`Signing-key sweep: ${rotated} rotated, ${retired} retired`);
      })
      .catch((error: Error) => this.logger.error(`Signing-key sweep failed: ${error.message}`))
      .finally(() => (this.running = undefined));
    await this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
