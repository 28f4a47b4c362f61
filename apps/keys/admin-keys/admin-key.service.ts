import { Inject, Injectable } from '@nestjs/common';
import {
  ADMIN_EVENTS_TENANT,
  ADMIN_KEY_ID_PATTERN,
  ADMIN_KEY_ID_PREFIX,
  ADMIN_KEY_SECRET_PREFIX,
  type AdminKeyView,
  type AdminPrincipal,
  type CreateAdminKeyBody,
  type CreatedAdminKey,
} from '@roomkey/contracts';
import { randomBase62, randomToken, type SecretHasher } from '@roomkey/crypto';
import { errorLog, NotFoundError } from '@roomkey/errors';
import { CLOCK, EVENT_SINK, SECRET_HASHER, type Clock, type EventSink } from '../ports';
import { TenantService } from '../tenants/tenant.service';
import { ADMIN_KEY_STORE, type AdminKeyRecord, type AdminKeyStore } from './admin-key.store';
import type { RequestContext } from '@roomkey/nats';

const iso = (ms: number) => new Date(ms).toISOString();

function toView(record: AdminKeyRecord): AdminKeyView {
  const { id, name, tenant, scopes, createdAt, revokedAt } = record;
  return { id, name, tenant, scopes, createdAt: iso(createdAt), revokedAt: revokedAt === null ? null : iso(revokedAt) };
}

/** `rk_admin_{16 id characters}_{43 secret characters}` → the key's id, or undefined for anything else. */
export function adminKeyIdOf(secret: string): string | undefined {
  if (!secret.startsWith(ADMIN_KEY_SECRET_PREFIX)) return undefined;
  const id = `${ADMIN_KEY_ID_PREFIX}${secret.slice(ADMIN_KEY_SECRET_PREFIX.length, ADMIN_KEY_SECRET_PREFIX.length + 16)}`;
  return ADMIN_KEY_ID_PATTERN.test(id) && secret[ADMIN_KEY_SECRET_PREFIX.length + 16] === '_' ? id : undefined;
}

/**
 * Scoped admin credentials. The secret embeds the key's id, so authentication is one look-up and a
 * constant-time comparison of keyed hashes; the secret is returned once, at creation.
 */
@Injectable()
export class AdminKeyService {
  constructor(
    @Inject(ADMIN_KEY_STORE) private readonly store: AdminKeyStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EVENT_SINK) private readonly events: EventSink,
    @Inject(SECRET_HASHER) private readonly hasher: SecretHasher,
    private readonly tenants: TenantService,
  ) {}

  async create({ name = null, tenant = null, scopes }: CreateAdminKeyBody, context: RequestContext): Promise<CreatedAdminKey> {
    // A key bound to a tenant that does not exist would be useless: 404, naming it.
    if (tenant !== null) await this.tenants.get(tenant);
    const random = randomBase62(16);
    const id = `${ADMIN_KEY_ID_PREFIX}${random}`;
    const secret = `${ADMIN_KEY_SECRET_PREFIX}${random}_${randomToken(32)}`;
    const record: AdminKeyRecord = { id, name, tenant, scopes: [...scopes], secretHash: this.hasher.hash(secret), createdAt: this.clock.now(), revokedAt: null };
    await this.store.insert(record);
    errorLog.write('info', `Created admin key ${id} (${tenant ?? 'every tenant'}: ${scopes.join(' ')})`, {}, context);
    await this.events.publish(tenant ?? ADMIN_EVENTS_TENANT, 'admin-key.created', { adminKeyId: id }, context.actor);
    const { revokedAt: _revokedAt, ...view } = toView(record);
    return { ...view, secret };
  }

  async list(): Promise<AdminKeyView[]> {
    return (await this.store.list()).map(toView);
  }

  /** Revokes the key; repeating it is harmless and announces the revocation again (gateways drop it from their caches). */
  async revoke(id: string, context: RequestContext): Promise<void> {
    const record = await this.store.find(id);
    if (!record) throw new NotFoundError(`Admin key '${id}' not found`);
    if (record.revokedAt === null) {
      await this.store.markRevoked(id, this.clock.now());
      errorLog.write('info', `Revoked admin key ${id}`, {}, context);
    }
    await this.events.publish(record.tenant ?? ADMIN_EVENTS_TENANT, 'admin-key.revoked', { adminKeyId: id }, context.actor);
  }

  /** The key a secret stands for, or null (unknown, wrong or revoked: the gateway answers 401 alike). */
  async authenticate(secret: string): Promise<AdminPrincipal | null> {
    const id = adminKeyIdOf(secret);
    if (id === undefined) return null;
    const record = await this.store.find(id);
    if (!record || record.revokedAt !== null || !this.hasher.matches(secret, record.secretHash)) return null;
    return { id: record.id, tenant: record.tenant, scopes: record.scopes };
  }
}
