import { Inject, Injectable } from '@nestjs/common';
import { CLOCK_TOLERANCE_SECONDS, type IssuerRevocations } from '@roomkey/contracts';
import { JETSTREAM_STORAGE, type JetStreamStorage } from '@roomkey/nats';
import { CLOCK, type Clock } from '../ports';
import { RETENTION_MS, parseCutoffEntry } from './revocation-cutoffs';

/**
 * A tenant's revocations still in force — revoked jtis not yet expired, user and tenant cut-offs —
 * read from the KV buckets themselves, so that the answer holds everything stored before the
 * question, whichever replica answers (a replica's in-memory mirror may lag by a watch delivery).
 * The gateway sends it as the first event of GET /realms/{t}/revocations.
 */
@Injectable()
export class RevocationsInForce {
  constructor(
    @Inject(JETSTREAM_STORAGE) private readonly storage: JetStreamStorage,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async of(tenant: string): Promise<IssuerRevocations> {
    const [tokenEntries, cutoffEntries] = await Promise.all([this.storage.readBucket('revokedTokens', `${tenant}.>`), this.storage.readBucket('revocationCutoffs', `${tenant}.>`)]);
    const nowSeconds = this.clock.now() / 1000;
    const tokens: IssuerRevocations['tokens'] = [];
    for (const { key, value } of tokenEntries) {
      const exp = readExp(value);
      // Keys are `{tenant}.{jti}` (kv-revocation-list.ts); an expired token needs no refusing.
      if (exp !== undefined && exp >= nowSeconds - CLOCK_TOLERANCE_SECONDS) tokens.push({ jti: key.slice(tenant.length + 1), exp });
    }
    const horizon = this.clock.now() - RETENTION_MS;
    const users: IssuerRevocations['users'] = [];
    let tenantIssuedBefore: string | null = null;
    for (const { value } of cutoffEntries) {
      const entry = parseCutoffEntry(value);
      if (!entry || entry.tenant !== tenant || entry.issuedBefore < horizon) continue;
      const issuedBefore = new Date(entry.issuedBefore).toISOString();
      if (entry.userId === undefined) tenantIssuedBefore = issuedBefore;
      else users.push({ userId: entry.userId, issuedBefore });
    }
    return { tokens, users, tenantIssuedBefore };
  }
}

function readExp(value: string): number | undefined {
  try {
    const exp = (JSON.parse(value) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp : undefined;
  } catch {
    return undefined;
  }
}
