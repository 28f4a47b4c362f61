/**
 * The keys service's figures: signing keys by state, counted in the database at scrape time (one
 * GROUP BY, kept for a few seconds so that frequent scrapes cost nothing more).
 */
import { Injectable } from '@nestjs/common';
import type { SigningKeyState } from '@roomkey/contracts';
import { ServiceMetrics } from '@roomkey/nats';
import { DataSource } from 'typeorm';
import { SigningKeyEntity } from './persistence/entities';

const STATES: readonly SigningKeyState[] = ['next', 'active', 'retiring', 'retired', 'revoked'];
/** A count this recent is reported again without asking the database. */
export const SIGNING_KEY_COUNT_MAX_AGE_MS = 5_000;

@Injectable()
export class KeysMetrics {
  private counted: { at: number; byState: Map<string, number> } | undefined;

  constructor(
    metrics: ServiceMetrics,
    private readonly dataSource: DataSource,
  ) {
    metrics.gauge('roomkey_signing_keys', 'Signing keys of all tenants, by state.', ['state'], async (gauge) => {
      let byState: Map<string, number>;
      try {
        byState = await this.countByState();
      } catch {
        return; // the database is away: the last figures stand
      }
      for (const state of STATES) gauge.labels(state).set(byState.get(state) ?? 0);
    });
  }

  private async countByState(): Promise<Map<string, number>> {
    if (this.counted && Date.now() - this.counted.at < SIGNING_KEY_COUNT_MAX_AGE_MS) return this.counted.byState;
    const rows: Array<{ state: string; count: string | number }> = await this.dataSource
      .getRepository(SigningKeyEntity)
      .createQueryBuilder('key')
      .select('key.state', 'state')
      .addSelect('COUNT(*)', 'count')
      .groupBy('key.state')
      .getRawMany();
    const byState = new Map(rows.map((row) => [row.state, Number(row.count)]));
    this.counted = { at: Date.now(), byState };
    return byState;
  }
}
