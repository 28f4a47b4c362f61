import { Body, Controller, Headers, HttpCode, Ip, Param, Post } from '@nestjs/common';
import {
  IssuerRoutes,
  OAuthRoutes,
  PublicRoutes,
  requireObject,
  type ApiCaller,
  type CreateAccessTokenBody,
  type CreateAccessTokenResult,
  type RevokeBeforeBody,
  type RevokedUserTokens,
  type RevokeTokenBody,
  type RevokeTokenResult,
  type VerifyTokenBody,
  type VerifyTokenResult,
} from '@roomkey/contracts';
import { InRequest, RpcClient, type RequestContext } from '@roomkey/nats';
import { basicCredentials } from '../http/credentials';

/** The streaming-platform API's token routes: thin, the issuer validates, signs and verifies. */
@Controller('v1')
export class AccessTokensController {
  constructor(private readonly rpc: RpcClient) {}

  /** CreateAccessToken. */
  @Post('access-tokens')
  @HttpCode(201)
  create(@InRequest() context: RequestContext, @Headers('authorization') authorization: string | undefined, @Body() body: CreateAccessTokenBody, @Ip() ip: string): Promise<CreateAccessTokenResult> {
    return this.rpc.request(PublicRoutes.createAccessToken, this.withCaller(authorization, body, ip), context);
  }

  @Post('tokens/verify')
  @HttpCode(200)
  verify(@InRequest() context: RequestContext, @Headers('authorization') authorization: string | undefined, @Body() body: VerifyTokenBody, @Ip() ip: string): Promise<VerifyTokenResult> {
    return this.rpc.request(PublicRoutes.verifyToken, this.withCaller(authorization, body, ip), context);
  }

  /** `{token}` or `{jti}`: every verifier rejects it within a second. */
  @Post('tokens/revoke')
  @HttpCode(200)
  revoke(@InRequest() context: RequestContext, @Headers('authorization') authorization: string | undefined, @Body() body: RevokeTokenBody, @Ip() ip: string): Promise<RevokeTokenResult> {
    return this.rpc.request(OAuthRoutes.revokeWithApiKey, this.withCaller(authorization, body, ip), context);
  }

  /** Every token of the user (`sub`) issued before `issuedBefore` (default now) is refused by every verifier within a second. */
  @Post('users/:userId/revoke')
  @HttpCode(200)
  revokeUser(
    @InRequest() context: RequestContext,
    @Headers('authorization') authorization: string | undefined,
    @Param('userId') userId: string,
    @Body() body: RevokeBeforeBody | undefined,
    @Ip() ip: string,
  ): Promise<RevokedUserTokens> {
    return this.rpc.request(IssuerRoutes.revokeUserTokens, { ...this.withCaller(authorization, body ?? {}, ip), userId }, context);
  }

  /**
   * The body (typed as its schema; the issuer validates it) plus the Basic credentials and the
   * client address, which override same-named body fields.
   */
  private withCaller<B extends object>(authorization: string | undefined, body: B, ip: string): B & ApiCaller {
    const credentials = basicCredentials(authorization);
    requireObject(body);
    return { ...body, ...credentials, clientAddress: ip };
  }
}
