import { Injectable } from '@nestjs/common';
import type { Body, CredentialRecord } from '@roomkey/contracts';
import { CredentialCache } from '../key-cache/credential-cache';
import { AuthenticationThrottle } from './authentication-throttle';

/**
 * The caller's API key from a request body (`apiKey`, `secret`, and the gateway's `clientAddress`),
 * authenticated from memory and counted by the brute-force limits.
 */
@Injectable()
export class ApiKeyAuthenticator {
  constructor(
    private readonly credentials: CredentialCache,
    private readonly throttle: AuthenticationThrottle,
  ) {}

  /** With `secretOptional`, a body without `secret` only looks the key up (X-Api-Key-alone access). */
  authenticate(body: Body, options: { secretOptional?: boolean } = {}): Promise<CredentialRecord> {
    const apiKey = typeof body.apiKey === 'string' ? body.apiKey : '';
    const address = typeof body.clientAddress === 'string' ? body.clientAddress : undefined;
    const lookupOnly = options.secretOptional === true && body.secret === undefined;
    return this.throttle.guard({ scope: 'api-key', id: apiKey, address }, () =>
      lookupOnly ? this.credentials.lookup(body.apiKey) : this.credentials.authenticate(body as { apiKey?: string; secret?: string }),
    );
  }
}
