import { Inject, Injectable } from '@nestjs/common';
import {
  CREATE_GUEST_FIELDS,
  GUEST_CREDENTIAL_FIELDS,
  GUEST_TOKEN_DEFAULT_LIFETIME,
  guestToken,
  readDisplayText,
  readRooms,
  readSeconds,
  readUserId,
  rejectUnknownFields,
  requireObject,
  type GuestResult,
} from '@roomkey/contracts';
import { KeyAccess } from '../access/key-access';
import { guestTokenRules } from '../access/token-rules';
import { IdentityEvents } from '../events/identity-events';
import { ISSUER_CLIENT, type IssuerClient } from '../ports';
import { uniqueGuestId } from './guest-id';

/** `/v1/guests` and its NATS subject: a temporary GUEST user with an id made unique. */
@Injectable()
export class GuestService {
  constructor(
    private readonly access: KeyAccess,
    @Inject(ISSUER_CLIENT) private readonly issuer: IssuerClient,
    private readonly events: IdentityEvents,
  ) {}

  async create(request: unknown): Promise<GuestResult> {
    const body = requireObject(request);
    const caller = await this.access.authenticate(body, 'guest');
    rejectUnknownFields(body, [...CREATE_GUEST_FIELDS, ...GUEST_CREDENTIAL_FIELDS]);

    const rules = guestTokenRules(caller.environment);
    const requested = body.userId === undefined || body.userId === null ? undefined : readUserId(body);
    const rooms = readRooms(body, 'rooms', rules.rooms);
    const ttlSeconds = readSeconds(body, 'ttlSeconds', rules.maxTtlSeconds, `for a ${caller.environment} API key`) ?? GUEST_TOKEN_DEFAULT_LIFETIME;
    const name = readDisplayText(body, 'name');
    const image = readDisplayText(body, 'image');
    await this.access.admit(caller);

    const id = uniqueGuestId(requested);
    const minted = await this.issuer.mint({
      tenant: caller.tenant.shortcode,
      claims: guestToken({ subject: id, clientId: caller.apiKey, environment: caller.environment, rooms, name, image }),
      ttlSeconds,
    });
    await this.events.announce(caller.tenant.shortcode, 'guest.created', { apiKey: caller.apiKey, jti: minted.claims.jti, exp: minted.claims.exp });
    return {
      user: { id, name: name ?? null, image: image ?? null, kind: 'guest' },
      accessToken: minted.accessToken,
      expiresIn: minted.expiresIn,
    };
  }
}
