import { Inject, Injectable } from '@nestjs/common';
import { ROTATION_GRACE, type ApiKeyView, type CreateApiKeyBody, type CreatedApiKey, type CredentialRecord, type RotatedApiKey, type TenantView } from '@roomkey/contracts';
import { randomBase62, randomToken, type SecretBox, type SecretHasher } from '@roomkey/crypto';
import { errorLog, ConflictError, NotFoundError } from '@roomkey/errors';
import { CLOCK, EVENT_SINK, KEYS_STORE, SECRET_BOX, SECRET_HASHER, type ApiKeyRecord, type Clock, type EventSink, type KeysStore } from '../ports';
import { TenantService } from '../tenants/tenant.service';
import type { RequestContext } from '@roomkey/nats';

const API_KEY_PREFIX = { production: 'rk_prod_', development: 'rk_dev_' } as const;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function toApiKeyView(record: ApiKeyRecord): ApiKeyView {
  return {
    apiKey: record.apiKey,
    environment: record.environment,
    name: record.name,
    createdAt: new Date(record.createdAt).toISOString(),
    revokedAt: iso(record.revokedAt),
    lastUsedAt: iso(record.lastUsedAt ?? null),
  };
}

@Injectable()
export class ApiKeyService {
  constructor(
    @Inject(KEYS_STORE) private readonly store: KeysStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EVENT_SINK) private readonly events: EventSink,
    @Inject(SECRET_BOX) private readonly secretBox: SecretBox,
    @Inject(SECRET_HASHER) private readonly hasher: SecretHasher,
    private readonly tenants: TenantService,
  ) {}

  /** A new key pair for a tenant already found; the secret is returned here once and stored only hashed and sealed. */
  async create(owner: TenantView, { environment, name = null }: CreateApiKeyBody, context: RequestContext): Promise<CreatedApiKey> {
    const tenant = owner.shortcode;
    const apiKey = `${API_KEY_PREFIX[environment]}${randomBase62(24)}`;
    const secret = randomToken(32);
    const record: ApiKeyRecord = {
      apiKey,
      tenant,
      environment,
      name,
      secretHash: this.hasher.hash(secret),
      secretCiphertext: this.secretBox.seal(secret, apiKey),
      createdAt: this.clock.now(),
      revokedAt: null,
    };
    await this.store.apiKeys.insert(record);
    errorLog.write('info', `Created ${environment} API key ${apiKey} for tenant ${tenant}`, {}, context);
    await this.events.publish(tenant, 'api-key.created', { apiKey }, context.actor);
    return { apiKey, secret, environment, name, createdAt: new Date(record.createdAt).toISOString() };
  }

  async list(tenant: string): Promise<ApiKeyView[]> {
    await this.tenants.get(tenant);
    const records = await this.store.apiKeys.listByTenant(tenant);
    return records.sort((a, b) => a.createdAt - b.createdAt).map(toApiKeyView);
  }

  /** A new secret; the previous one keeps working for `graceSeconds` (default 3600) on every issuer replica. */
  async rotate(tenant: string, apiKey: string, context: RequestContext, graceSeconds: number = ROTATION_GRACE.apiKeyDefault): Promise<RotatedApiKey> {
    const record = await this.find(tenant, apiKey);
    if (record.revokedAt !== null) throw new ConflictError(`API key '${apiKey}' is revoked`);
    const secret = randomToken(32);
    const validUntil = this.clock.now() + graceSeconds * 1000;
    await this.store.apiKeys.update(apiKey, {
      secretHash: this.hasher.hash(secret),
      secretCiphertext: this.secretBox.seal(secret, apiKey),
      previousSecretHash: record.secretHash,
      previousSecretValidUntil: validUntil,
    });
    errorLog.write('info', `Rotated the secret of API key ${apiKey} of tenant ${tenant} (previous valid ${graceSeconds} s)`, {}, context);
    await this.events.publish(tenant, 'api-key.rotated', { apiKey }, context.actor);
    return { apiKey, secret, previousSecretValidUntil: new Date(validUntil).toISOString() };
  }

  async rename(tenant: string, apiKey: string, name: string | null, context: RequestContext): Promise<ApiKeyView> {
    const record = await this.find(tenant, apiKey);
    if (record.name !== name) {
      await this.store.apiKeys.update(apiKey, { name });
      await this.events.publish(tenant, 'api-key.updated', { apiKey }, context.actor);
    }
    return toApiKeyView({ ...record, name });
  }

  /**
   * Issuers' coarse reports of use (at most once a minute per key and replica), several keys in one
   * transaction (one commit instead of one per key); never in the future.
   */
  async recordUses(uses: ReadonlyArray<{ apiKey: string; usedAt: number }>): Promise<void> {
    const now = this.clock.now();
    const valid = uses.filter(({ apiKey, usedAt }) => apiKey.length <= 64 && Number.isFinite(usedAt));
    if (!valid.length) return;
    await this.store.transaction(async (store) => {
      for (const { apiKey, usedAt } of valid) await store.apiKeys.recordUse(apiKey, Math.min(Math.floor(usedAt), now));
    });
  }

  /** Revokes the key; repeating it is harmless and announces the revocation again. */
  async revoke(tenant: string, apiKey: string, context: RequestContext): Promise<void> {
    const record = await this.find(tenant, apiKey);
    if (record.revokedAt === null) {
      await this.store.apiKeys.markRevoked(record.apiKey, this.clock.now());
      errorLog.write('info', `Revoked API key ${record.apiKey} of tenant ${tenant}`, {}, context);
    }
    await this.events.publish(tenant, 'api-key.revoked', { apiKey: record.apiKey }, context.actor);
  }

  /** The record an issuer caches to authenticate this key (hash only, never the secret). */
  async resolve(apiKey: string): Promise<CredentialRecord | null> {
    // No key is longer; a longer one is not looked up at all.
    if (apiKey.length > 64) return null;
    const record = await this.store.apiKeys.find(apiKey);
    if (!record) return null;
    return {
      apiKey: record.apiKey,
      tenant: record.tenant,
      environment: record.environment,
      secretHash: record.secretHash,
      secretCiphertext: record.secretCiphertext,
      revoked: record.revokedAt !== null,
      ...(record.previousSecretHash && record.previousSecretValidUntil != null
        ? { previousSecret: { hash: record.previousSecretHash, validUntil: record.previousSecretValidUntil } }
        : {}),
    };
  }

  private async find(tenant: string, apiKey: string): Promise<ApiKeyRecord> {
    await this.tenants.get(tenant);
    const record = apiKey.length <= 64 ? await this.store.apiKeys.find(apiKey) : null;
    if (!record || record.tenant !== tenant) throw new NotFoundError(`API key '${apiKey}' not found in tenant '${tenant}'`);
    return record;
  }
}
