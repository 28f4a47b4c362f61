/**
 * Invites in a JetStream KV bucket shared by every identity replica, through the shared
 * compare-and-set store (so two replicas cannot both count the same use). Entries outlive their
 * invite by a day so that a late redemption answers 410, not 404.
 */
import { MAX_TOKEN_LIFETIME_SECONDS } from '@roomkey/contracts';
import { KvVersionedStore, type JetStreamStorage } from '@roomkey/nats';
import type { InviteRecord, InviteStore } from '../ports';

/** An invite lives at most as long as the longest token; its entry stays one more day. */
const ENTRY_TTL_MS = (MAX_TOKEN_LIFETIME_SECONDS + 86400) * 1000;

export async function openInviteStore(storage: JetStreamStorage): Promise<InviteStore> {
  const kv = await storage.openBucket('invites', ENTRY_TTL_MS);
  return new KvVersionedStore<InviteRecord>(kv, 'invite');
}
