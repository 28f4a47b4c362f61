import { Body, Controller, Headers, HttpCode, Ip, Post } from '@nestjs/common';
import { OAuthRoutes, PublicRoutes, requireObject } from '@roomkey/contracts';
import { RpcClient } from '@roomkey/nats';
import { basicCredentials } from '../http/credentials';

/** The streaming-platform API's token routes: thin, the issuer validates, signs and verifies. */
@Controller('v1')
export class AccessTokensController {
  constructor(private readonly rpc: RpcClient) {}

  /** CreateAccessToken. */
  @Post('access-tokens')
  @HttpCode(201)
  create(@Headers('authorization') authorization: string | undefined, @Body() body: unknown, @Ip() ip: string) {
    return this.rpc.request(PublicRoutes.createAccessToken, this.withCaller(authorization, body, ip) as never);
  }

  @Post('tokens/verify')
  @HttpCode(200)
  verify(@Headers('authorization') authorization: string | undefined, @Body() body: unknown, @Ip() ip: string) {
    return this.rpc.request(PublicRoutes.verifyToken, this.withCaller(authorization, body, ip) as never);
  }

  /** `{token}` or `{jti}`: every verifier rejects it within a second. */
  @Post('tokens/revoke')
  @HttpCode(200)
  revoke(@Headers('authorization') authorization: string | undefined, @Body() body: unknown, @Ip() ip: string) {
    return this.rpc.request(OAuthRoutes.revokeWithApiKey, this.withCaller(authorization, body, ip) as never);
  }

  /** The body plus the Basic credentials and the client address (these override same-named body fields). */
  private withCaller(authorization: string | undefined, body: unknown, ip: string) {
    const credentials = basicCredentials(authorization);
    return { ...requireObject(body), ...credentials, clientAddress: ip };
  }
}
