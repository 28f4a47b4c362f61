import { Inject, Injectable } from '@nestjs/common';
import type { KeysConfig } from '@roomkey/config';
import {
  DEFAULT_AUDIENCE,
  OAUTH_CLIENT_TOKEN_LIFETIME,
  PUBLIC_CLIENT_GRANT_TYPES,
  type ClientCredentialRecord,
  type CreateClientBody,
  type CreatedOAuthClient,
  type OAuthClientView,
  type RotatedClientSecret,
  type TenantView,
  type UpdateClientBody,
} from '@roomkey/contracts';
import { randomBase62, randomToken, type SecretHasher } from '@roomkey/crypto';
import { errorLog, ConflictError, InvalidRequestError, NotFoundError } from '@roomkey/errors';
import { CLOCK, EVENT_SINK, KEYS_CONFIG, KEYS_STORE, SECRET_HASHER, type Clock, type EventSink, type KeysStore, type OAuthClientRecord } from '../ports';
import { TenantService } from '../tenants/tenant.service';
import type { RequestContext } from '@roomkey/nats';

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const withoutRepeats = <T>(items: readonly T[]): T[] => [...new Set(items)];

/** Exact-match redirect URIs: https, or http on a loopback host (RFC 8252), no fragment. */
function isRedirectUri(value: string): boolean {
  const url = URL.parse(value);
  if (!url || url.hash) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.includes(url.hostname));
}

/** The rules a client's schema cannot say, for creation and patches alike. */
function checkGrantsAndRedirects(isPublic: boolean, grantTypes: readonly string[], redirectUris: readonly string[]): void {
  if (isPublic) {
    const forbidden = grantTypes.filter((g) => !(PUBLIC_CLIENT_GRANT_TYPES as readonly string[]).includes(g));
    if (forbidden.length) throw new InvalidRequestError(`Field 'grantTypes': a public client may use only ${PUBLIC_CLIENT_GRANT_TYPES.join(' and ')}, not ${forbidden.join(', ')}`, 'grantTypes');
  }
  if (!redirectUris.every(isRedirectUri)) {
    throw new InvalidRequestError("Field 'redirectUris' must hold only absolute https URLs (or http on a loopback host) without fragment", 'redirectUris');
  }
  if (grantTypes.includes('authorization_code') && redirectUris.length === 0) {
    throw new InvalidRequestError("Field 'redirectUris' is required for the authorization_code grant", 'redirectUris');
  }
}

export function toClientView(record: OAuthClientRecord): OAuthClientView {
  return {
    clientId: record.clientId,
    name: record.name,
    public: record.public,
    grantTypes: record.grantTypes,
    redirectUris: record.redirectUris,
    audiences: record.audiences,
    scopes: record.scopes,
    accessTokenTtl: record.accessTokenTtl,
    createdAt: new Date(record.createdAt).toISOString(),
    revokedAt: iso(record.revokedAt),
  };
}

/** OAuth clients of a tenant: registration, secret rotation with a grace period, revocation. */
@Injectable()
export class ClientService {
  constructor(
    @Inject(KEYS_STORE) private readonly store: KeysStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EVENT_SINK) private readonly events: EventSink,
    @Inject(SECRET_HASHER) private readonly hasher: SecretHasher,
    @Inject(KEYS_CONFIG) private readonly config: Pick<KeysConfig, 'clientSecretGraceSeconds'>,
    private readonly tenants: TenantService,
  ) {}

  /** Registers a client of a tenant already found; the rules here are those its schema cannot say. */
  async create(owner: TenantView, command: CreateClientBody, context: RequestContext): Promise<CreatedOAuthClient> {
    const tenant = owner.shortcode;
    const isPublic = command.public ?? false;
    const grantTypes = withoutRepeats(command.grantTypes);
    const redirectUris = withoutRepeats(command.redirectUris ?? []);
    checkGrantsAndRedirects(isPublic, grantTypes, redirectUris);
    const audiences = withoutRepeats(command.audiences ?? [DEFAULT_AUDIENCE]);
    const scopes = withoutRepeats(command.scopes ?? []);
    const accessTokenTtl = command.accessTokenTtl ?? OAUTH_CLIENT_TOKEN_LIFETIME.default;
    const clientSecret = isPublic ? undefined : randomToken(32);
    const record: OAuthClientRecord = {
      clientId: `rkc_${randomBase62(24)}`,
      tenant,
      name: command.name ?? null,
      public: isPublic,
      grantTypes,
      redirectUris,
      audiences,
      scopes,
      accessTokenTtl,
      secretHash: clientSecret === undefined ? null : this.hasher.hash(clientSecret),
      previousSecretHash: null,
      previousSecretValidUntil: null,
      createdAt: this.clock.now(),
      revokedAt: null,
    };
    await this.store.clients.insert(record);
    errorLog.write('info', `Created ${isPublic ? 'public' : 'confidential'} OAuth client ${record.clientId} for tenant ${tenant}`, {}, context);
    await this.events.publish(tenant, 'client.created', { clientId: record.clientId }, context.actor);
    return { ...toClientView(record), ...(clientSecret !== undefined ? { clientSecret } : {}) };
  }

  async list(tenant: string): Promise<OAuthClientView[]> {
    await this.tenants.get(tenant);
    return (await this.store.clients.listByTenant(tenant)).sort((a, b) => a.createdAt - b.createdAt).map(toClientView);
  }

  async get(tenant: string, clientId: string): Promise<OAuthClientView> {
    return toClientView(await this.find(tenant, clientId));
  }

  /**
   * Changes what the body names (null: back to the default: no name, no redirect URIs or scopes,
   * ["roomkey"], 7200 s); the result must still be a valid client. Every issuer replica drops its
   * cached copy on client.updated.
   */
  async update(tenant: string, clientId: string, patch: UpdateClientBody, context: RequestContext): Promise<OAuthClientView> {
    const client = await this.find(tenant, clientId);
    if (client.revokedAt !== null) throw new ConflictError(`Client '${client.clientId}' is revoked`);
    const next: OAuthClientRecord = {
      ...client,
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.grantTypes !== undefined ? { grantTypes: withoutRepeats(patch.grantTypes) } : {}),
      ...(patch.redirectUris !== undefined ? { redirectUris: withoutRepeats(patch.redirectUris ?? []) } : {}),
      ...(patch.audiences !== undefined ? { audiences: withoutRepeats(patch.audiences ?? [DEFAULT_AUDIENCE]) } : {}),
      ...(patch.scopes !== undefined ? { scopes: withoutRepeats(patch.scopes ?? []) } : {}),
      ...(patch.accessTokenTtl !== undefined ? { accessTokenTtl: patch.accessTokenTtl ?? OAUTH_CLIENT_TOKEN_LIFETIME.default } : {}),
    };
    checkGrantsAndRedirects(next.public, next.grantTypes, next.redirectUris);
    await this.store.clients.update(next);
    errorLog.write('info', `Updated OAuth client ${client.clientId} of tenant ${tenant}`, {}, context);
    await this.events.publish(tenant, 'client.updated', { clientId: client.clientId }, context.actor);
    return toClientView(next);
  }

  /** A new secret; the previous one keeps working for `graceSeconds` (default: the configured grace period). */
  async rotateSecret(tenant: string, clientId: string, context: RequestContext, graceSeconds: number = this.config.clientSecretGraceSeconds): Promise<RotatedClientSecret> {
    const client = await this.find(tenant, clientId);
    if (client.revokedAt !== null) throw new ConflictError(`Client '${client.clientId}' is revoked`);
    if (client.public) throw new ConflictError(`Client '${client.clientId}' is public and has no secret`);
    const clientSecret = randomToken(32);
    const validUntil = this.clock.now() + graceSeconds * 1000;
    await this.store.clients.update({ ...client, secretHash: this.hasher.hash(clientSecret), previousSecretHash: client.secretHash, previousSecretValidUntil: validUntil });
    await this.events.publish(tenant, 'client.secret-rotated', { clientId: client.clientId }, context.actor);
    return { clientId: client.clientId, clientSecret, previousSecretValidUntil: new Date(validUntil).toISOString() };
  }

  /** Revokes the client; repeating it is harmless and announces the revocation again. */
  async revoke(tenant: string, clientId: string, context: RequestContext): Promise<void> {
    const client = await this.find(tenant, clientId);
    if (client.revokedAt === null) {
      await this.store.clients.update({ ...client, revokedAt: this.clock.now() });
      errorLog.write('info', `Revoked OAuth client ${client.clientId} of tenant ${tenant}`, {}, context);
    }
    await this.events.publish(tenant, 'client.revoked', { clientId: client.clientId }, context.actor);
  }

  /** What an issuer caches to authenticate the client (hashes only). */
  async resolve(clientId: string): Promise<ClientCredentialRecord | null> {
    // No client id is longer; a longer one is not looked up at all.
    if (clientId.length > 64) return null;
    const client = await this.store.clients.find(clientId);
    if (!client) return null;
    const secrets: ClientCredentialRecord['secrets'] = [];
    if (client.secretHash) secrets.push({ hash: client.secretHash, validUntil: null });
    if (client.previousSecretHash && client.previousSecretValidUntil !== null) {
      secrets.push({ hash: client.previousSecretHash, validUntil: client.previousSecretValidUntil });
    }
    return {
      clientId: client.clientId,
      tenant: client.tenant,
      public: client.public,
      grantTypes: client.grantTypes,
      redirectUris: client.redirectUris,
      audiences: client.audiences,
      scopes: client.scopes,
      accessTokenTtl: client.accessTokenTtl,
      secrets,
      revoked: client.revokedAt !== null,
    };
  }

  private async find(tenant: string, clientId: string): Promise<OAuthClientRecord> {
    await this.tenants.get(tenant);
    const client = clientId.length <= 64 ? await this.store.clients.find(clientId) : null;
    if (!client || client.tenant !== tenant) throw new NotFoundError(`Client '${clientId}' not found in tenant '${tenant}'`);
    return client;
  }
}
