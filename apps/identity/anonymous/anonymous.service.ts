import { Inject, Injectable } from '@nestjs/common';
import { ANONYMOUS_TOKEN_DEFAULT_LIFETIME, anonymousToken, type AnonymousResult, type CreateAnonymousBody } from '@roomkey/contracts';
import { randomUUID } from 'node:crypto';
import { KeyAccess, type ApiKeyCaller } from '../access/key-access';
import { anonymousTokenRules, lifetimeWithin, roomsWithin } from '../access/token-rules';
import { ISSUER_CLIENT, type IssuerClient } from '../ports';
import type { RequestContext } from '@roomkey/nats';

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

  /** `command` has passed the schema; what remains are the limits of the caller's key. */
  async create(caller: ApiKeyCaller, command: CreateAnonymousBody, context: RequestContext): Promise<AnonymousResult> {
    const rules = anonymousTokenRules(caller.environment);
    const rooms = roomsWithin(command.rooms, rules.rooms)!;
    const ttlSeconds = lifetimeWithin(command.ttlSeconds, rules, caller.environment, ANONYMOUS_TOKEN_DEFAULT_LIFETIME);
    await this.access.admit(caller, context);

    const minted = await this.issuer.mint({
      tenant: caller.tenant.shortcode,
      claims: anonymousToken({ clientId: caller.apiKey, environment: caller.environment, rooms, anonId: randomUUID() }),
      ttlSeconds,
      profile: command.profile ?? undefined,
    }, context);
    return { accessToken: minted.accessToken, expiresIn: minted.expiresIn, ...(minted.profile ? { profile: minted.profile } : {}) };
  }
}
