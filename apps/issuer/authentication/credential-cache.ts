import { Inject, Injectable } from '@nestjs/common';
import type { ApiCaller, CredentialRecord } from '@roomkey/contracts';
import type { SecretHasher } from '@roomkey/crypto';
import { UnauthorizedError } from '@roomkey/errors';
import { CLOCK, KEY_DIRECTORY, SECRET_HASHER, type Clock, type KeyDirectory } from '../ports';
import { LoadingCache, type CacheLookups } from '../caches/loading-cache';
import type { RequestContext } from '@roomkey/nats';

const MAX_API_KEY_LENGTH = 64;
const MAX_SECRET_LENGTH = 256;

/** Authenticates API keys from memory: records load once from the keys service, events keep them fresh. */
@Injectable()
export class CredentialCache {
  private readonly cache: LoadingCache<string, CredentialRecord | null>;

  constructor(
    @Inject(KEY_DIRECTORY) directory: KeyDirectory,
    @Inject(SECRET_HASHER) private readonly hasher: SecretHasher,
    @Inject(CLOCK) private readonly clock: Clock = { now: () => Date.now() },
  ) {
    this.cache = new LoadingCache((apiKey, context) => directory.resolveCredential(apiKey, context));
  }

  /**
   * The key's record when `secret` is its secret (or, after a rotation, the previous one within its
   * grace period) and it is not revoked; 401 otherwise (one message for all).
   */
  async authenticate({ apiKey, secret }: ApiCaller, context: RequestContext): Promise<CredentialRecord> {
    if (!apiKey || !secret) {
      throw new UnauthorizedError('Missing API key credentials: send apiKey and secret');
    }
    if (apiKey.length <= MAX_API_KEY_LENGTH && secret.length <= MAX_SECRET_LENGTH) {
      const record = await this.cache.get(apiKey, context);
      if (record && !record.revoked && (this.hasher.matches(secret, record.secretHash) || this.matchesPrevious(record, secret))) return record;
    }
    throw new UnauthorizedError('Invalid API key or secret');
  }

  /** The key's record without checking a secret (X-Api-Key-alone access); 401 when unknown or revoked. */
  async lookup(apiKey: unknown, context: RequestContext): Promise<CredentialRecord> {
    if (typeof apiKey === 'string' && apiKey !== '' && apiKey.length <= MAX_API_KEY_LENGTH) {
      const record = await this.cache.get(apiKey, context);
      if (record && !record.revoked) return record;
    }
    throw new UnauthorizedError('Invalid API key');
  }

  /** Hits and misses (roomkey_cache_lookups_total{cache="credentials"}). */
  get lookups(): CacheLookups {
    return this.cache.lookups;
  }

  private matchesPrevious({ previousSecret }: CredentialRecord, secret: string): boolean {
    return previousSecret !== undefined && this.clock.now() < previousSecret.validUntil && this.hasher.matches(secret, previousSecret.hash);
  }

  invalidate(apiKey: string): void {
    this.cache.invalidate(apiKey);
  }

  clear(): void {
    this.cache.clear();
  }
}
