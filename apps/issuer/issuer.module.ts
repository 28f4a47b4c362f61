import { Module, type DynamicModule } from '@nestjs/common';
import type { IssuerConfig } from '@roomkey/config';
import { MetricsModule, pingHandler } from '@roomkey/nats';
import { AccessTokenHandlers } from './access-tokens/access-token.handlers';
import { AccessTokenService } from './access-tokens/access-token.service';
import { BatchHandlers } from './access-tokens/batch.handlers';
import { TokenSigner } from './signing/token-signer';
import { IssuerMetrics } from './issuer-metrics';
import { ApiKeyAuthenticator } from './authentication/api-key-authenticator';
import { ApiKeyUsage } from './authentication/api-key-usage';
import { AuthenticationThrottle } from './authentication/authentication-throttle';
import { AuthorizationHandlers } from './oauth/authorize/authorization.handlers';
import { AuthorizationService } from './oauth/authorize/authorization.service';
import { RefreshTokenService } from './oauth/authorize/refresh-tokens';
import { IssuerInfraModule } from './infra.module';
import { InternalApiHandlers } from './internal-api/internal-api.handlers';
import { InternalApiService } from './internal-api/internal-api.service';
import { CacheInvalidation } from './caches/cache-invalidation';
import { ClientCache } from './oauth/client-cache';
import { CredentialCache } from './authentication/credential-cache';
import { KeyringCache } from './signing/keyring-cache';
import { ClientAuthenticator } from './oauth/client-authenticator';
import { AuthorizationCodeGrant } from './oauth/grants/authorization-code.grant';
import { ClientCredentialsGrant } from './oauth/grants/client-credentials.grant';
import { RefreshTokenGrant } from './oauth/grants/refresh-token.grant';
import { GRANT_HANDLERS } from './oauth/grants/grant-handler';
import { GrantRegistry } from './oauth/grants/grant-registry';
import { IntrospectionService } from './oauth/introspection.service';
import { OAuthHandlers } from './oauth/oauth.handlers';
import { RevocationService } from './oauth/revocation.service';
import { TokenEndpointService } from './oauth/token-endpoint.service';
import { TokenRevoker } from './revocation/token-revoker';
import { CutoffRevocationHandlers } from './revocation/cutoff-revocation.handlers';
import { CutoffRevocationService } from './revocation/cutoff-revocation.service';
import { RevocationsInForce } from './revocation/revocations-in-force';
import { PartnerTokenVerifier } from './verification/partner-token.verifier';
import { TokenVerifier } from './verification/token-verifier.service';
import { VerificationHandlers } from './verification/verification.handlers';

/** One entry per grant type file under oauth/grants/; the registry dispatches on grant_type. */
const GRANTS = [ClientCredentialsGrant, AuthorizationCodeGrant, RefreshTokenGrant];

/** The issuer: mints and verifies tokens from memory. Stateless; run as many replicas as needed. */
@Module({})
export class IssuerModule {
  static forRoot(config: IssuerConfig): DynamicModule {
    return {
      module: IssuerModule,
      imports: [IssuerInfraModule.forRoot(config), MetricsModule.forService('issuer')],
      controllers: [AccessTokenHandlers, BatchHandlers, VerificationHandlers, OAuthHandlers, AuthorizationHandlers, InternalApiHandlers, CutoffRevocationHandlers, pingHandler('issuer')],
      providers: [
        // The batch handler runs each item through the same handler its own subject reaches.
        AccessTokenHandlers,
        OAuthHandlers,
        InternalApiHandlers,
        CredentialCache,
        ApiKeyUsage,
        ClientCache,
        KeyringCache,
        CacheInvalidation,
        AuthenticationThrottle,
        ApiKeyAuthenticator,
        TokenSigner,
        AccessTokenService,
        PartnerTokenVerifier,
        TokenVerifier,
        InternalApiService,
        ClientAuthenticator,
        ...GRANTS,
        { provide: GRANT_HANDLERS, useFactory: (...handlers: unknown[]) => handlers, inject: GRANTS },
        GrantRegistry,
        TokenEndpointService,
        IntrospectionService,
        TokenRevoker,
        IssuerMetrics,
        CutoffRevocationService,
        RevocationsInForce,
        RevocationService,
        RefreshTokenService,
        AuthorizationService,
      ],
    };
  }
}
