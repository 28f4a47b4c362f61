import { Controller, Get, Header, Inject, Param } from '@nestjs/common';
import type { GatewayConfig } from '@roomkey/config';
import { CLIENT_AUTH_METHODS, IMPLEMENTED_GRANT_TYPES, KeysRoutes, SIGNING_ALGORITHMS, issuerUrl } from '@roomkey/contracts';
import { InRequest, RpcClient, type RequestContext } from '@roomkey/nats';
import { GATEWAY_CONFIG } from '../infra.module';

/** Keycloak-compatible realm paths: discovery metadata (also at RFC 8414's path) and the tenant's JWKS. */
@Controller()
export class DiscoveryController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get(['realms/:tenant/.well-known/openid-configuration', '.well-known/oauth-authorization-server/realms/:tenant'])
  @Header('cache-control', 'public, max-age=300')
  async metadata(@InRequest() context: RequestContext, @Param('tenant') tenant: string) {
    await this.rpc.request(KeysRoutes.getTenant, { tenant }, context);
    const issuer = issuerUrl(this.config.publicUrl, tenant);
    const oidc = `${issuer}/protocol/openid-connect`;
    return {
      issuer,
      authorization_endpoint: `${oidc}/auth`,
      token_endpoint: `${oidc}/token`,
      introspection_endpoint: `${oidc}/token/introspect`,
      revocation_endpoint: `${oidc}/revoke`,
      jwks_uri: `${oidc}/certs`,
      grant_types_supported: IMPLEMENTED_GRANT_TYPES,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
      introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
      revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
      subject_types_supported: ['public'],
      access_token_signing_alg_values_supported: SIGNING_ALGORITHMS,
    };
  }

  /** Next, active and retiring public keys. Short caching is safe: keys are published before they sign. */
  @Get('realms/:tenant/protocol/openid-connect/certs')
  @Header('cache-control', 'public, max-age=60')
  certs(@InRequest() context: RequestContext, @Param('tenant') tenant: string) {
    return this.rpc.request(KeysRoutes.getJwks, { tenant }, context);
  }
}
