import { Inject, Injectable } from '@nestjs/common';
import { ANONYMOUS_SUBJECT, GUEST_TOKEN_DEFAULT_LIFETIME, guestToken, type CreateGuestBody, type GuestResult, type TokenMetadata } from '@roomkey/contracts';
import { InvalidRequestError } from '@roomkey/errors';
import { KeyAccess, type ApiKeyCaller } from '../access/key-access';
import { guestTokenRules, lifetimeWithin, roomsWithin } from '../access/token-rules';
import { IdentityEvents } from '../events/identity-events';
import { ISSUER_CLIENT, type IssuerClient } from '../ports';
import { uniqueGuestId } from './guest-id';
import type { RequestContext } from '@roomkey/nats';

/** `/v1/guests` and its NATS subject: a temporary GUEST user with an id made unique. */
@Injectable()
export class GuestService {
  constructor(
    private readonly access: KeyAccess,
    @Inject(ISSUER_CLIENT) private readonly issuer: IssuerClient,
    private readonly events: IdentityEvents,
  ) {}

  /** `command` has passed the schema; what remains are the limits of the caller's key. */
  async create(caller: ApiKeyCaller, command: CreateGuestBody, context: RequestContext): Promise<GuestResult> {
    if (command.userId === ANONYMOUS_SUBJECT) {
      throw new InvalidRequestError(`Field 'userId' may not be '${ANONYMOUS_SUBJECT}', which marks anonymous tokens`, 'userId');
    }
    const rules = guestTokenRules(caller.environment);
    const rooms = roomsWithin(command.rooms, rules.rooms);
    const ttlSeconds = lifetimeWithin(command.ttlSeconds, rules, caller.environment, GUEST_TOKEN_DEFAULT_LIFETIME);
    const { name, image } = command;
    const metadata = (command.metadata ?? undefined) as TokenMetadata | undefined;
    await this.access.admit(caller, context);

    const id = uniqueGuestId(command.userId);
    const minted = await this.issuer.mint({
      tenant: caller.tenant.shortcode,
      claims: guestToken({ subject: id, clientId: caller.apiKey, environment: caller.environment, rooms, name, image, metadata }),
      ttlSeconds,
      profile: command.profile ?? undefined,
    }, context);
    await this.events.announce(caller.tenant.shortcode, 'guest.created', { apiKey: caller.apiKey, jti: minted.claims.jti, exp: minted.claims.exp }, context);
    return {
      user: { id, name: name ?? null, image: image ?? null, kind: 'guest' },
      accessToken: minted.accessToken,
      expiresIn: minted.expiresIn,
      ...(minted.profile ? { profile: minted.profile } : {}),
    };
  }
}
