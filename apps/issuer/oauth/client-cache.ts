import { Inject, Injectable } from '@nestjs/common';
import type { ClientCredentialRecord } from '@roomkey/contracts';
import type { SecretHasher } from '@roomkey/crypto';
import { InvalidClientError } from '@roomkey/errors';
import { CLOCK, KEY_DIRECTORY, SECRET_HASHER, type Clock, type KeyDirectory } from '../ports';
import { LoadingCache, type CacheLookups } from '../caches/loading-cache';
import type { RequestContext } from '@roomkey/nats';

const MAX_CLIENT_ID_LENGTH = 64;
const MAX_SECRET_LENGTH = 256;

/** OAuth clients from memory: loaded once from the keys service, kept fresh by client.* events. */
@Injectable()
export class ClientCache {
  private readonly cache: LoadingCache<string, ClientCredentialRecord | null>;

  constructor(
    @Inject(KEY_DIRECTORY) directory: KeyDirectory,
    @Inject(SECRET_HASHER) private readonly hasher: SecretHasher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.cache = new LoadingCache((clientId, context) => directory.resolveClient(clientId, context));
  }

  /** Hits and misses (roomkey_cache_lookups_total{cache="clients"}). */
  get lookups(): CacheLookups {
    return this.cache.lookups;
  }

  /** The live (not revoked) client, or null. */
  async find(clientId: string, context: RequestContext): Promise<ClientCredentialRecord | null> {
    if (clientId === '' || clientId.length > MAX_CLIENT_ID_LENGTH) return null;
    const client = await this.cache.get(clientId, context);
    return client && !client.revoked ? client : null;
  }

  /**
   * The client when `secret` is one of its secrets (the current one, or the previous one within its
   * grace period); a public client authenticates with its id alone. invalid_client otherwise.
   */
  async authenticate(clientId: string, secret: string | undefined, context: RequestContext): Promise<ClientCredentialRecord> {
    const client = await this.find(clientId, context);
    if (client && secret === undefined && client.public) return client;
    if (client && secret !== undefined && secret.length <= MAX_SECRET_LENGTH) {
      const now = this.clock.now();
      const matches = client.secrets.some((s) => (s.validUntil === null || now < s.validUntil) && this.hasher.matches(secret, s.hash));
      if (matches) return client;
    }
    throw new InvalidClientError('Client authentication failed');
  }

  invalidate(clientId: string): void {
    this.cache.invalidate(clientId);
  }

  clear(): void {
    this.cache.clear();
  }
}
