import { Body, Controller, Header, Headers, HttpCode, Ip, Param, Post } from '@nestjs/common';
import { OAuthRoutes, tokenRouteFor, type IntrospectionResult, type OAuthEndpointRequest, type OAuthParams, type TokenEndpointResult } from '@roomkey/contracts';
import { OAuthInvalidRequestError } from '@roomkey/errors';
import { InRequest, RpcClient, type RequestContext } from '@roomkey/nats';
import { oauthBasicCredentials } from '../http/credentials';

const FORM = 'application/x-www-form-urlencoded';

function formParams(contentType: string | undefined, body: unknown, allowJson: boolean): OAuthParams {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const accepted = type === FORM || (allowJson && type === 'application/json');
  if (!accepted || typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new OAuthInvalidRequestError(`Send the parameters as ${allowJson ? `${FORM} or application/json` : FORM}`);
  }
  return { ...(body as OAuthParams) };
}

/** OAuth 2.0 endpoints at Keycloak's paths, and Auth0's `/oauth/token`. Thin: the issuer does the work. */
@Controller()
export class OAuthController {
  constructor(private readonly rpc: RpcClient) {}

  private request(tenant: string | undefined, contentType: string | undefined, body: unknown, authorization: string | undefined, ip: string, allowJson = false): OAuthEndpointRequest {
    const basic = oauthBasicCredentials(authorization);
    return { ...(tenant !== undefined ? { tenant } : {}), params: formParams(contentType, body, allowJson), ...(basic ? { basic } : {}), clientAddress: ip };
  }

  @Post('realms/:tenant/protocol/openid-connect/token')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @Header('pragma', 'no-cache')
  token(@InRequest() context: RequestContext, @Param('tenant') tenant: string, @Headers('content-type') type: string | undefined, @Headers('authorization') auth: string | undefined, @Body() body: unknown, @Ip() ip: string): Promise<TokenEndpointResult> {
    const request = this.request(tenant, type, body, auth, ip);
    return this.rpc.request(tokenRouteFor(request.params.grant_type), request, context);
  }

  /** Auth0 style: the client names the tenant; `audience` must be one of the client's; form or JSON. */
  @Post('oauth/token')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @Header('pragma', 'no-cache')
  auth0Token(@InRequest() context: RequestContext, @Headers('content-type') type: string | undefined, @Headers('authorization') auth: string | undefined, @Body() body: unknown, @Ip() ip: string): Promise<TokenEndpointResult> {
    const request = this.request(undefined, type, body, auth, ip, true);
    return this.rpc.request(tokenRouteFor(request.params.grant_type), request, context);
  }

  @Post('realms/:tenant/protocol/openid-connect/token/introspect')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  introspect(@InRequest() context: RequestContext, @Param('tenant') tenant: string, @Headers('content-type') type: string | undefined, @Headers('authorization') auth: string | undefined, @Body() body: unknown, @Ip() ip: string): Promise<IntrospectionResult> {
    return this.rpc.request(OAuthRoutes.introspect, this.request(tenant, type, body, auth, ip), context);
  }

  /** RFC 7009: 200 with an empty body, also for tokens that are already invalid. */
  @Post('realms/:tenant/protocol/openid-connect/revoke')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  async revoke(@InRequest() context: RequestContext, @Param('tenant') tenant: string, @Headers('content-type') type: string | undefined, @Headers('authorization') auth: string | undefined, @Body() body: unknown, @Ip() ip: string): Promise<void> {
    await this.rpc.request(OAuthRoutes.revoke, this.request(tenant, type, body, auth, ip), context);
  }
}
