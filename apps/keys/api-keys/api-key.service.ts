import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ApiKeyView, CreateApiKeyBody, CreatedApiKey, CredentialRecord, TenantView } from '@roomkey/contracts';
import { randomBase62, randomToken, type SecretBox, type SecretHasher } from '@roomkey/crypto';
import { NotFoundError } from '@roomkey/errors';
import { CLOCK, EVENT_SINK, KEYS_STORE, SECRET_BOX, SECRET_HASHER, type ApiKeyRecord, type Clock, type EventSink, type KeysStore } from '../ports';
import { TenantService } from '../tenants/tenant.service';

const API_KEY_PREFIX = { production: 'rk_prod_', development: 'rk_dev_' } as const;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function toApiKeyView(record: ApiKeyRecord): ApiKeyView {
  return {
    apiKey: record.apiKey,
    environment: record.environment,
    name: record.name,
    createdAt: new Date(record.createdAt).toISOString(),
    revokedAt: iso(record.revokedAt),
  };
}

@Injectable()
export class ApiKeyService {
  private readonly logger = new Logger(ApiKeyService.name);

  constructor(
    @Inject(KEYS_STORE) private readonly store: KeysStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EVENT_SINK) private readonly events: EventSink,
    @Inject(SECRET_BOX) private readonly secretBox: SecretBox,
    @Inject(SECRET_HASHER) private readonly hasher: SecretHasher,
    private readonly tenants: TenantService,
  ) {}

  /** A new key pair for a tenant already found; the secret is returned here once and stored only hashed and sealed. */
  async create(owner: TenantView, { environment, name = null }: CreateApiKeyBody): Promise<CreatedApiKey> {
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
    this.logger.log(`Created ${environment} API key ${apiKey} for tenant ${tenant}`);
    await this.events.publish(tenant, 'api-key.created', { apiKey });
    return { apiKey, secret, environment, name, createdAt: new Date(record.createdAt).toISOString() };
  }

  async list(tenant: string): Promise<ApiKeyView[]> {
    await this.tenants.get(tenant);
    const records = await this.store.apiKeys.listByTenant(tenant);
    return records.sort((a, b) => a.createdAt - b.createdAt).map(toApiKeyView);
  }

  /** Revokes the key; repeating it is harmless and announces the revocation again. */
  async revoke(tenant: string, apiKey: string): Promise<void> {
    await this.tenants.get(tenant);
    const record = await this.store.apiKeys.find(apiKey);
    if (!record || record.tenant !== tenant) throw new NotFoundError(`API key '${apiKey}' not found in tenant '${tenant}'`);
    if (record.revokedAt === null) {
      await this.store.apiKeys.markRevoked(record.apiKey, this.clock.now());
      this.logger.log(`Revoked API key ${record.apiKey} of tenant ${tenant}`);
    }
    await this.events.publish(tenant, 'api-key.revoked', { apiKey: record.apiKey });
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
    };
  }
}
