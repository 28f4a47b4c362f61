import { Inject, Injectable } from '@nestjs/common';
import {
  ANONYMOUS_TOKEN_DEFAULT_LIFETIME,
  CREATE_ANONYMOUS_FIELDS,
  GUEST_CREDENTIAL_FIELDS,
  anonymousToken,
  readRooms,
  readSeconds,
  rejectUnknownFields,
  requireObject,
  type AnonymousResult,
} from '@roomkey/contracts';
import { randomUUID } from 'node:crypto';
import { KeyAccess } from '../access/key-access';
import { anonymousTokenRules } from '../access/token-rules';
import { ISSUER_CLIENT, type IssuerClient } from '../ports';

/**
 * `/v1/anonymous-tokens` and its NATS subject: a VIEWER token for someone without an
 * account, limited to the rooms named, with `sub: "!anon"` and a fresh `anon_id` per token so one
 * viewer can be revoked.
 */
@Injectable()
export class AnonymousService {
  constructor(
    private readonly access: KeyAccess,
    @Inject(ISSUER_CLIENT) private readonly issuer: IssuerClient,
  ) {}

  async create(request: unknown): Promise<AnonymousResult> {
    const body = requireObject(request);
    const caller = await this.access.authenticate(body, 'anonymous');
    rejectUnknownFields(body, [...CREATE_ANONYMOUS_FIELDS, ...GUEST_CREDENTIAL_FIELDS]);

    const rules = anonymousTokenRules(caller.environment);
    const rooms = readRooms(body, 'rooms', rules.rooms);
    const ttlSeconds = readSeconds(body, 'ttlSeconds', rules.maxTtlSeconds, `for a ${caller.environment} API key`) ?? ANONYMOUS_TOKEN_DEFAULT_LIFETIME;
    await this.access.admit(caller);

    const minted = await this.issuer.mint({
      tenant: caller.tenant.shortcode,
      claims: anonymousToken({ clientId: caller.apiKey, environment: caller.environment, rooms: rooms!, anonId: randomUUID() }),
      ttlSeconds,
    });
    return { accessToken: minted.accessToken, expiresIn: minted.expiresIn };
  }
}
