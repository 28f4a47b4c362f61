import { Injectable } from '@nestjs/common';
import {
  API_KEY_TOKEN_LIFETIME,
  apiKeyRoomsRule,
  readDisplayText,
  readRole,
  readRooms,
  readSeconds,
  readUserId,
  rejectUnknownFields,
  requireObject,
  userToken,
  type CreateAccessTokenResult,
} from '@roomkey/contracts';
import { ApiKeyAuthenticator } from '../auth-throttle/api-key-authenticator';
import { TokenSigner } from './token-signer';

export const CREATE_ACCESS_TOKEN_FIELDS = ['userId', 'role', 'rooms', 'ttlSeconds', 'name', 'image'] as const;
/** Set by the callers, not by the body's author: credentials, and the gateway's view of the client address. */
const CREDENTIAL_FIELDS = ['apiKey', 'secret', 'clientAddress'] as const;

/** CreateAccessToken (contract §3–5): a user token for the partner's user, limited by the key's environment. */
@Injectable()
export class AccessTokenService {
  constructor(
    private readonly apiKeys: ApiKeyAuthenticator,
    private readonly signer: TokenSigner,
  ) {}

  async create(request: unknown): Promise<CreateAccessTokenResult> {
    const body = requireObject(request);
    const credential = await this.apiKeys.authenticate(body);
    rejectUnknownFields(body, [...CREATE_ACCESS_TOKEN_FIELDS, ...CREDENTIAL_FIELDS]);

    const environment = credential.environment;
    const lifetime = API_KEY_TOKEN_LIFETIME[environment];
    const userId = readUserId(body);
    const role = readRole(body);
    const rooms = readRooms(body, 'rooms', apiKeyRoomsRule(environment));
    const ttlSeconds = readSeconds(body, 'ttlSeconds', lifetime.max, `for a ${environment} API key`) ?? lifetime.default;
    const name = readDisplayText(body, 'name');
    const image = readDisplayText(body, 'image');
    const signed = await this.signer.sign(
      credential.tenant,
      userToken({ subject: userId, clientId: credential.apiKey, role, environment, rooms, name, image }),
      ttlSeconds,
    );
    return {
      accessToken: signed.token,
      tokenType: 'Bearer',
      expiresIn: signed.expiresIn,
      expiresAt: signed.expiresAt,
      role,
      permissions: signed.claims.perms ?? [],
    };
  }
}
