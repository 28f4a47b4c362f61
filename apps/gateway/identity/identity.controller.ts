import { Body, Controller, Headers, HttpCode, Ip, Param, Post } from '@nestjs/common';
import {
  IdentityPublicRoutes,
  IdentityRoutes,
  requireObject,
  type AnonymousResult,
  type ApiCredentials,
  type CreateAnonymousBody,
  type CreatedInvite,
  type CreateGuestBody,
  type CreateInviteBody,
  type GuestResult,
  type RedeemInviteBody,
  type RequestOf,
} from '@roomkey/contracts';
import { RoomkeyError, UnauthorizedError } from '@roomkey/errors';
import { InRequest, RpcClient, type RequestContext } from '@roomkey/nats';
import { basicCredentials, bearerToken } from '../http/credentials';

const BEARER_CHALLENGE = 'Bearer realm="roomkey"';

/** HTTP Basic `apiKey:secret`, or the API key alone from `X-Api-Key` (the identity service decides whether the tenant allows it). */
function apiKeyCredentials(authorization: string | undefined, apiKeyHeader: string | undefined, what: string): Partial<ApiCredentials> & { apiKey: string } {
  if (authorization) return basicCredentials(authorization);
  if (apiKeyHeader) return { apiKey: apiKeyHeader };
  throw new UnauthorizedError(`Missing credentials: send HTTP Basic apiKey:secret, or X-Api-Key alone when the tenant allows ${what} access`);
}

/**
 * The body as the route declares it: the identity service validates its fields (once, for HTTP and
 * NATS callers alike), so only a body that is not a JSON object is refused here. An absent body
 * forwards no fields.
 */
function jsonBody<T>(body: T): T {
  if (body !== undefined && body !== null) requireObject(body);
  return body;
}

/** Guests, anonymous viewers and invites: thin, the identity service validates, decides and mints. */
@Controller('v1')
export class IdentityController {
  constructor(private readonly rpc: RpcClient) {}

  @Post('guests')
  @HttpCode(201)
  createGuest(
    @InRequest() context: RequestContext,
    @Headers('authorization') authorization: string | undefined,
    @Headers('x-api-key') apiKey: string | undefined,
    @Ip() clientAddress: string,
    @Body() body: CreateGuestBody | undefined,
  ): Promise<GuestResult> {
    const credentials = apiKeyCredentials(authorization, apiKey, 'guest');
    // The header's credentials override same-named body fields; a body's own `secret` never counts.
    const request: RequestOf<typeof IdentityPublicRoutes.createGuest> = { ...jsonBody(body), secret: undefined, ...credentials, clientAddress };
    return this.rpc.request(IdentityPublicRoutes.createGuest, request, context);
  }

  @Post('anonymous-tokens')
  @HttpCode(201)
  createAnonymous(
    @InRequest() context: RequestContext,
    @Headers('authorization') authorization: string | undefined,
    @Headers('x-api-key') apiKey: string | undefined,
    @Ip() clientAddress: string,
    @Body() body: CreateAnonymousBody,
  ): Promise<AnonymousResult> {
    const credentials = apiKeyCredentials(authorization, apiKey, 'anonymous');
    const request: RequestOf<typeof IdentityPublicRoutes.createAnonymous> = { ...jsonBody(body), secret: undefined, ...credentials, clientAddress };
    return this.rpc.request(IdentityPublicRoutes.createAnonymous, request, context);
  }

  @Post('invites')
  @HttpCode(201)
  async createInvite(@InRequest() context: RequestContext, @Headers('authorization') authorization: string | undefined, @Body() body: CreateInviteBody | undefined): Promise<CreatedInvite> {
    const accessToken = bearerToken(authorization);
    if (!accessToken) {
      throw new UnauthorizedError('Missing credentials: send a Bearer access token holding guests:invite', { challenge: BEARER_CHALLENGE });
    }
    try {
      return await this.rpc.request(IdentityRoutes.createInvite, { accessToken, body: jsonBody(body) }, context);
    } catch (error) {
      if (error instanceof RoomkeyError && error.status === 401) error.details.challenge = `${BEARER_CHALLENGE}, error="invalid_token"`;
      throw error;
    }
  }

  @Post('invites/:code/redeem')
  @HttpCode(201)
  redeemInvite(@InRequest() context: RequestContext, @Param('code') code: string, @Body() body: RedeemInviteBody | undefined): Promise<GuestResult> {
    return this.rpc.request(IdentityRoutes.redeemInvite, { code, body: jsonBody(body) }, context);
  }
}
