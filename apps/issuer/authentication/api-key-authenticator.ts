import { Injectable, Optional } from '@nestjs/common';
import type { ApiCaller, CredentialRecord } from '@roomkey/contracts';
import { CredentialCache } from './credential-cache';
import { AuthenticationThrottle } from './authentication-throttle';
import { ApiKeyUsage } from './api-key-usage';

/**
 * The caller's API key (`apiKey`, `secret`, and the gateway's `clientAddress`, split from the body
 * by the handler), authenticated from memory and counted by the brute-force limits.
 */
@Injectable()
export class ApiKeyAuthenticator {
  constructor(
    private readonly credentials: CredentialCache,
    private readonly throttle: AuthenticationThrottle,
    @Optional() private readonly usage?: ApiKeyUsage,
  ) {}

  /** With `secretOptional`, a caller without `secret` only looks the key up (X-Api-Key-alone access). */
  async authenticate(caller: ApiCaller, options: { secretOptional?: boolean } = {}): Promise<CredentialRecord> {
    const lookupOnly = options.secretOptional === true && caller.secret === undefined;
    const record = await this.throttle.guard({ scope: 'api-key', id: caller.apiKey ?? '', address: caller.clientAddress }, () =>
      lookupOnly ? this.credentials.lookup(caller.apiKey) : this.credentials.authenticate(caller),
    );
    this.usage?.used(record.apiKey);
    return record;
  }
}
