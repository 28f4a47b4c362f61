import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { PublicRoutes, requireObject } from '@roomkey/contracts';
import { RpcClient } from '@roomkey/nats';
import { basicCredentials } from '../http/credentials';

/** The streaming-platform API's token routes: thin, the issuer validates and signs. */
@Controller('v1')
export class AccessTokensController {
  constructor(private readonly rpc: RpcClient) {}

  /** CreateAccessToken. */
  @Post('access-tokens')
  @HttpCode(201)
  create(@Headers('authorization') authorization: string | undefined, @Body() body: unknown) {
    const credentials = basicCredentials(authorization);
    return this.rpc.request(PublicRoutes.createAccessToken, { ...requireObject(body), ...credentials } as never);
  }

  @Post('tokens/verify')
  @HttpCode(200)
  verify(@Headers('authorization') authorization: string | undefined, @Body() body: unknown) {
    const credentials = basicCredentials(authorization);
    return this.rpc.request(PublicRoutes.verifyToken, { ...requireObject(body), ...credentials } as never);
  }
}
