import { Module, type DynamicModule } from '@nestjs/common';
import type { IssuerConfig } from '@roomkey/config';
import { pingHandler } from '@roomkey/nats';
import { AccessTokenHandlers } from './access-tokens/access-token.handlers';
import { AccessTokenService } from './access-tokens/access-token.service';
import { TokenSigner } from './access-tokens/token-signer';
import { IssuerInfraModule } from './infra.module';
import { InternalApiHandlers } from './internal-api/internal-api.handlers';
import { InternalApiService } from './internal-api/internal-api.service';
import { CacheInvalidation } from './key-cache/cache-invalidation';
import { CredentialCache } from './key-cache/credential-cache';
import { KeyringCache } from './key-cache/keyring-cache';
import { VerificationHandlers } from './verification/verification.handlers';
import { TokenVerifier } from './verification/token-verifier.service';

/** The issuer: mints and verifies tokens from memory. Stateless; run as many replicas as needed. */
@Module({})
export class IssuerModule {
  static forRoot(config: IssuerConfig): DynamicModule {
    return {
      module: IssuerModule,
      imports: [IssuerInfraModule.forRoot(config)],
      controllers: [AccessTokenHandlers, VerificationHandlers, InternalApiHandlers, pingHandler('issuer')],
      providers: [CredentialCache, KeyringCache, CacheInvalidation, TokenSigner, AccessTokenService, TokenVerifier, InternalApiService],
    };
  }
}
