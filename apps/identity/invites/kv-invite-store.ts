/**
 * Invites in a JetStream KV bucket shared by every identity replica. `replace` is the bucket's
 * compare-and-set (`update` with the expected revision), so two replicas cannot both count the
 * same use. Entries outlive their invite by a day so that a late redemption answers 410, not 404.
 */
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { MAX_TOKEN_LIFETIME_SECONDS } from '@roomkey/contracts';
import type { InviteRecord, InviteStore, StoredInvite } from '../ports';

export const INVITES_BUCKET = 'ROOMKEY_INVITES';
/** An invite lives at most as long as the longest token; its entry stays one more day. */
const ENTRY_TTL_MS = (MAX_TOKEN_LIFETIME_SECONDS + 86400) * 1000;

const encoder = new TextEncoder();

function isWrongRevision(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamWrongLastSequence || error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

export class KvInviteStore implements InviteStore {
  private constructor(private readonly kv: KV) {}

  static async open(connection: NatsConnection): Promise<KvInviteStore> {
    return new KvInviteStore(await new Kvm(connection).create(INVITES_BUCKET, { history: 1, ttl: ENTRY_TTL_MS }));
  }

  async create(key: string, invite: InviteRecord): Promise<void> {
    await this.kv.create(key, encoder.encode(JSON.stringify(invite)));
  }

  async find(key: string): Promise<StoredInvite | null> {
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== 'PUT') return null;
    return { invite: entry.json<InviteRecord>(), revision: entry.revision };
  }

  async replace(key: string, invite: InviteRecord, revision: number): Promise<boolean> {
    try {
      await this.kv.update(key, encoder.encode(JSON.stringify(invite)), revision);
      return true;
    } catch (error) {
      if (isWrongRevision(error)) return false;
      throw error;
    }
  }
}
