/**
 * The issuer's figures read at scrape time: cache hits and misses per cache, and the size of the
 * revocation list. The hot path only adds to plain numbers (LoadingCache.lookups); nothing here runs
 * per request.
 */
import { Inject, Injectable } from '@nestjs/common';
import { ServiceMetrics } from '@roomkey/nats';
import type { Gauge } from 'prom-client';
import { CredentialCache } from './authentication/credential-cache';
import type { CacheLookups } from './caches/loading-cache';
import { ClientCache } from './oauth/client-cache';
import { REVOCATION_STORE } from './ports';
import { KeyringCache } from './signing/keyring-cache';

@Injectable()
export class IssuerMetrics {
  constructor(
    metrics: ServiceMetrics, keyrings: KeyringCache, clients: ClientCache, credentials: CredentialCache,
    // KvRevocationList in the issuer: its size is the number of revoked tokens it holds.
    @Inject(REVOCATION_STORE) revocations: { readonly size?: number },
  ) {
    const caches: Array<[string, { readonly lookups: CacheLookups }]> = [
      ['keyrings', keyrings],
      ['clients', clients],
      ['credentials', credentials],
    ];
    // Counted elsewhere (plain numbers on the hot path): the running totals, read at each scrape.
    metrics.counter('roomkey_cache_lookups_total', "Lookups in the issuer's in-memory caches, by cache and result (hit, miss).", ['cache', 'result'], (counter) => {
      counter.reset();
      for (const [name, cache] of caches) {
        counter.labels(name, 'hit').inc(cache.lookups.hits);
        counter.labels(name, 'miss').inc(cache.lookups.misses);
      }
    });
    metrics.gauge('roomkey_revocation_list_entries', 'Revoked tokens (not yet expired) in the revocation list this replica holds.', [], (gauge: Gauge) => {
      gauge.set(revocations.size ?? 0);
    });
  }
}
