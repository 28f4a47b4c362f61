/**
 * Invites in a JetStream KV bucket shared by every identity replica, through the shared
 * compare-and-set store (so two replicas cannot both count the same use). Entries outlive their
 * invite by a day so that a late redemption answers 410, not 404.
 */
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { MAX_TOKEN_LIFETIME_SECONDS, type Namespace } from '@roomkey/contracts';
import { KvVersionedStore } from '@roomkey/nats';
import type { InviteRecord, InviteStore } from '../ports';

/** An invite lives at most as long as the longest token; its entry stays one more day. */
const ENTRY_TTL_MS = (MAX_TOKEN_LIFETIME_SECONDS + 86400) * 1000;

export async function openInviteStore(connection: NatsConnection, namespace: Namespace): Promise<InviteStore> {
  const kv = await new Kvm(connection).create(namespace.bucket('invites'), { history: 1, ttl: ENTRY_TTL_MS });
  return new KvVersionedStore<InviteRecord>(kv, 'invite');
}
