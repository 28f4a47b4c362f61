import type { ClientCredentialRecord } from '@roomkey/contracts';
import { AccessDeniedError, InvalidScopeError } from '@roomkey/errors';

/** Requested scopes must all be the client's; none requested means all of the client's scopes. */
export function grantedScopes(client: ClientCredentialRecord, requested: string | undefined): string[] {
  if (requested === undefined) return client.scopes;
  const scopes = [...new Set(requested.split(' ').filter(Boolean))];
  const unknown = scopes.filter((s) => !client.scopes.includes(s));
  if (unknown.length) throw new InvalidScopeError(`Scope not allowed for this client: ${unknown.join(' ')}`);
  return scopes;
}

/** A requested audience must be one of the client's (Auth0 answers 403 access_denied otherwise). */
export function grantedAudience(client: ClientCredentialRecord, requested: string | undefined): string | string[] {
  if (requested === undefined) return client.audiences.length === 1 ? client.audiences[0] : client.audiences;
  if (!client.audiences.includes(requested)) throw new AccessDeniedError(`Client is not authorized to access audience '${requested}'`);
  return requested;
}
