import { Inject, Injectable, Logger } from '@nestjs/common';
import { mediaPlatformSecretContext, type MediaPlatform, type PutMediaPlatformBody, type SealedMediaPlatform } from '@roomkey/contracts';
import type { SecretBox } from '@roomkey/crypto';
import { NotFoundError } from '@roomkey/errors';
import type { RequestContext } from '@roomkey/nats';
import { CLOCK, EVENT_SINK, KEYS_STORE, SECRET_BOX, type Clock, type EventSink, type KeysStore } from '../ports';
import { TenantService } from '../tenants/tenant.service';


/**
 * A tenant's media-platform credentials (claim profiles, contract §3.1): the secret is sealed under
 * the master key at rest, travels sealed to the issuer (inside the signing material) and is never
 * answered to anyone. Each change is an event (no secret in it) that drops the issuers' caches.
 */
@Injectable()
export class MediaPlatformService {
  private readonly logger = new Logger(MediaPlatformService.name);

  constructor(
    @Inject(KEYS_STORE) private readonly store: KeysStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EVENT_SINK) private readonly events: EventSink,
    @Inject(SECRET_BOX) private readonly secretBox: SecretBox,
    private readonly tenants: TenantService,
  ) {}

  async put(tenant: string, platform: MediaPlatform, { apiKey, apiSecret }: PutMediaPlatformBody, context: RequestContext): Promise<void> {
    await this.tenants.get(tenant);
    const now = this.clock.now();
    const secretCiphertext = this.secretBox.seal(apiSecret, mediaPlatformSecretContext(tenant, platform));
    await this.store.mediaPlatforms.save({ tenant, platform, apiKey, secretCiphertext, createdAt: now, updatedAt: now });
    this.logger.log(`Stored ${platform} credentials of tenant ${tenant}`);
    await this.events.publish(tenant, 'media-platform.updated', { platform }, context.actor);
  }

  /** 404 when the tenant has no credentials for the platform. */
  async remove(tenant: string, platform: MediaPlatform, context: RequestContext): Promise<void> {
    await this.tenants.get(tenant);
    if (!(await this.store.mediaPlatforms.remove(tenant, platform))) {
      throw new NotFoundError(`Tenant '${tenant}' has no ${platform} credentials`);
    }
    this.logger.log(`Removed ${platform} credentials of tenant ${tenant}`);
    await this.events.publish(tenant, 'media-platform.removed', { platform }, context.actor);
  }

  /** For the issuer's signing material: still sealed. */
  async sealed(tenant: string): Promise<SealedMediaPlatform[]> {
    const records = await this.store.mediaPlatforms.listByTenant(tenant);
    return records.map(({ platform, apiKey, secretCiphertext }) => ({ platform, apiKey, encryptedSecret: secretCiphertext }));
  }
}
