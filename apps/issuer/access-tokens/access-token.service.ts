import { Injectable } from '@nestjs/common';
import {
  ANONYMOUS_SUBJECT,
  API_KEY_TOKEN_LIFETIME,
  apiKeyRoomsRule,
  userToken,
  type ApiCaller,
  type CreateAccessTokenBody,
  type CreateAccessTokenResult,
  type CredentialRecord,
  type TokenMetadata,
} from '@roomkey/contracts';
import { InvalidRequestError } from '@roomkey/errors';
import { ApiKeyAuthenticator } from '../authentication/api-key-authenticator';
import { TokenSigner } from '../signing/token-signer';
import type { RequestContext } from '@roomkey/nats';

/** CreateAccessToken (contract §3–5): a user token for the partner's user, limited by the key's environment. */
@Injectable()
export class AccessTokenService {
  constructor(
    private readonly apiKeys: ApiKeyAuthenticator,
    private readonly signer: TokenSigner,
  ) {}

  /** The caller's API key; checked before the body, so bad credentials are a 401 whatever the body holds. */
  authenticate(caller: ApiCaller, context: RequestContext): Promise<CredentialRecord> {
    return this.apiKeys.authenticate(caller, context);
  }

  /** `command` has passed the schema; what remains are the limits of the caller's key. */
  async create(credential: CredentialRecord, command: CreateAccessTokenBody, context: RequestContext): Promise<CreateAccessTokenResult> {
    const { environment } = credential;
    if (command.userId === ANONYMOUS_SUBJECT) {
      throw new InvalidRequestError(`Field 'userId' may not be '${ANONYMOUS_SUBJECT}', which marks anonymous tokens`, 'userId');
    }
    const lifetime = API_KEY_TOKEN_LIFETIME[environment];
    const rooms = roomsWithin(command.rooms ?? undefined, apiKeyRoomsRule(environment));
    const ttlSeconds = command.ttlSeconds ?? lifetime.default;
    if (ttlSeconds > lifetime.max) {
      throw new InvalidRequestError(`Field 'ttlSeconds' must be from 1 to ${lifetime.max} for a ${environment} API key`, 'ttlSeconds');
    }
    const { role } = command;
    const signed = await this.signer.sign(
      credential.tenant,
      userToken({ subject: command.userId, clientId: credential.apiKey, role, environment, rooms, name: command.name ?? undefined, image: command.image ?? undefined,
        metadata: (command.metadata ?? undefined) as TokenMetadata | undefined }),
      ttlSeconds,
      'api_key',
      context,
      { profile: command.profile ?? undefined },
    );
    return {
      accessToken: signed.token,
      tokenType: 'Bearer',
      expiresIn: signed.expiresIn,
      expiresAt: signed.expiresAt,
      role,
      permissions: signed.claims.perms ?? [],
      ...(signed.profile !== 'roomkey' ? { profile: signed.profile } : {}),
    };
  }
}

/** The key's room limit (a development key must name 1–10 rooms); duplicates folded. */
function roomsWithin(rooms: string[] | undefined, rule: { required: boolean; max: number }): string[] | undefined {
  if (rooms === undefined) {
    if (rule.required) throw new InvalidRequestError(`Field 'rooms' is required: name 1–${rule.max} rooms`, 'rooms');
    return undefined;
  }
  if (rooms.length > rule.max) throw new InvalidRequestError(`Field 'rooms' must name 1–${rule.max} rooms`, 'rooms');
  return [...new Set(rooms)];
}
