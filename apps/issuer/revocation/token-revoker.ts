import { Inject, Injectable } from '@nestjs/common';
import { errorLog } from '@roomkey/errors';
import type { EventSink, RequestContext } from '@roomkey/nats';
import { EVENT_PUBLISHER, REVOCATION_STORE, type RevocationStore } from '../ports';

/** Revokes a token id on every replica and announces it (`token.revoked`, the jti only). */
@Injectable()
export class TokenRevoker {
  constructor(
    @Inject(REVOCATION_STORE) private readonly revocations: RevocationStore,
    @Inject(EVENT_PUBLISHER) private readonly events: EventSink,
  ) {}

  /** `context`: the request revoking (its id on the log line, its admin actor, if any, on the event). */
  async revoke(tenant: string, jti: string, exp: number, context: RequestContext): Promise<void> {
    await this.revocations.revoke(tenant, jti, exp);
    errorLog.write('info', `Revoked token jti=${jti} of tenant ${tenant}`, {}, context);
    await this.events.publish(tenant, 'token.revoked', { jti, exp }, context.actor);
  }
}
