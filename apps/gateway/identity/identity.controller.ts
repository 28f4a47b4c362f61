import { Body, Controller, Headers, HttpCode, Ip, Param, Post } from '@nestjs/common';
import { IdentityPublicRoutes, IdentityRoutes, requireObject, type Body as JsonBody, type GuestCredentials } from '@roomkey/contracts';
import { RoomkeyError, UnauthorizedError } from '@roomkey/errors';
import { RpcClient } from '@roomkey/nats';
import { basicCredentials, bearerToken } from '../http/credentials';

const BEARER_CHALLENGE = 'Bearer realm="roomkey"';

/** HTTP Basic `apiKey:secret`, or the API key alone from `X-Api-Key` (the identity service decides whether the tenant allows it). */
function apiKeyCredentials(authorization: string | undefined, apiKeyHeader: string | undefined, what: string): Omit<GuestCredentials, 'clientAddress'> {
  if (authorization) return basicCredentials(authorization);
  if (apiKeyHeader) return { apiKey: apiKeyHeader };
  throw new UnauthorizedError(`Missing credentials: send HTTP Basic apiKey:secret, or X-Api-Key alone when the tenant allows ${what} access`);
}

/** An absent body counts as `{}`: every field of these routes but the anonymous `rooms` is optional. */
function optionalObject(body: unknown): JsonBody {
  return body === undefined || body === null ? {} : requireObject(body);
}

/** Guests, anonymous viewers and invites: thin, the identity service validates, decides and mints. */
@Controller('v1')
export class IdentityController {
  constructor(private readonly rpc: RpcClient) {}

  @Post('guests')
  @HttpCode(201)
  createGuest(
    @Headers('authorization') authorization: string | undefined,
    @Headers('x-api-key') apiKey: string | undefined,
    @Ip() clientAddress: string,
    @Body() body: unknown,
  ) {
    const credentials = apiKeyCredentials(authorization, apiKey, 'guest');
    return this.rpc.request(IdentityPublicRoutes.createGuest, { ...optionalObject(body), secret: undefined, ...credentials, clientAddress } as never);
  }

  @Post('anonymous-tokens')
  @HttpCode(201)
  createAnonymous(
    @Headers('authorization') authorization: string | undefined,
    @Headers('x-api-key') apiKey: string | undefined,
    @Ip() clientAddress: string,
    @Body() body: unknown,
  ) {
    const credentials = apiKeyCredentials(authorization, apiKey, 'anonymous');
    return this.rpc.request(IdentityPublicRoutes.createAnonymous, { ...optionalObject(body), secret: undefined, ...credentials, clientAddress } as never);
  }

  @Post('invites')
  @HttpCode(201)
  async createInvite(@Headers('authorization') authorization: string | undefined, @Body() body: unknown) {
    const accessToken = bearerToken(authorization);
    if (!accessToken) {
      throw new UnauthorizedError('Missing credentials: send a Bearer access token holding guests:invite', { challenge: BEARER_CHALLENGE });
    }
    try {
      return await this.rpc.request(IdentityRoutes.createInvite, { accessToken, body: optionalObject(body) });
    } catch (error) {
      if (error instanceof RoomkeyError && error.status === 401) error.details.challenge = `${BEARER_CHALLENGE}, error="invalid_token"`;
      throw error;
    }
  }

  @Post('invites/:code/redeem')
  @HttpCode(201)
  redeemInvite(@Param('code') code: string, @Body() body: unknown) {
    return this.rpc.request(IdentityRoutes.redeemInvite, { code, body: optionalObject(body) });
  }
}
