import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EventSink } from '@roomkey/nats';
import { EVENT_PUBLISHER, REVOCATION_STORE, type RevocationStore } from '../ports';

/** Revokes a token id on every replica and announces it (`token.revoked`, the jti only). */
@Injectable()
export class TokenRevoker {
  private readonly logger = new Logger(TokenRevoker.name);

  constructor(
    @Inject(REVOCATION_STORE) private readonly revocations: RevocationStore,
    @Inject(EVENT_PUBLISHER) private readonly events: EventSink,
  ) {}

  async revoke(tenant: string, jti: string, exp: number): Promise<void> {
    await this.revocations.revoke(tenant, jti, exp);
    this.logger.log(`Revoked token jti=${jti} of tenant ${tenant}`);
    await this.events.publish(tenant, 'token.revoked', { jti, exp });
  }
}
