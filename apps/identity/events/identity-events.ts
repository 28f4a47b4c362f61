import { Inject, Injectable } from '@nestjs/common';
import { errorLog } from '@roomkey/errors';
import type { EventFields, EventType } from '@roomkey/contracts';
import { EVENT_SINK, type EventSink } from '../ports';
import type { RequestContext } from '@roomkey/nats';

/**
 * Announces what identity did (guest.created, invite.created, invite.redeemed). Events carry ids
 * only (jti, apiKey, inviteId), never a token or an invite code. The announcement follows the
 * change it describes: when it cannot be published the change stands (the token or invite already
 * exists, and failing the request would waste an invite's use), so the failure is logged instead.
 */
@Injectable()
export class IdentityEvents {
  constructor(@Inject(EVENT_SINK) private readonly sink: EventSink) {}

  /** `context`: the request whose change it announces (no admin acts here: the event names no actor). */
  async announce<K extends 'guest.created' | 'invite.created' | 'invite.redeemed'>(tenant: string, type: K, fields: EventFields<K>, context: RequestContext): Promise<void> {
    try {
      await this.sink.publish<EventType>(tenant, type, fields, undefined);
    } catch (error) {
      errorLog.write('error', `Could not publish ${type} for tenant ${tenant}: ${(error as Error).message}`, { context: 'IdentityEvents' }, context);
    }
  }
}
