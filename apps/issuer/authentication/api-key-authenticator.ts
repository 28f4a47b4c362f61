import { Injectable, Optional } from '@nestjs/common';
import type { ApiCaller, CredentialRecord } from '@roomkey/contracts';
import { CredentialCache } from './credential-cache';
import { AuthenticationThrottle } from './authentication-throttle';
import { ApiKeyUsage } from './api-key-usage';
import type { RequestContext } from '@roomkey/nats';

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
  async authenticate(caller: ApiCaller, context: RequestContext, options: { secretOptional?: boolean } = {}): Promise<CredentialRecord> {
    const lookupOnly = options.secretOptional === true && caller.secret === undefined;
    const record = await this.throttle.guard({ scope: 'api-key', id: caller.apiKey ?? '', address: caller.clientAddress }, context, () =>
      lookupOnly ? this.credentials.lookup(caller.apiKey, context) : this.credentials.authenticate(caller, context),
    );
    this.usage?.used(record.apiKey);
    return record;
  }
}
