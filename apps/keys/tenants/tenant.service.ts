import { Inject, Injectable } from '@nestjs/common';
import {
  DELETED_SHORTCODE_HOLD_SECONDS,
  TENANT_PAGE,
  TENANT_SHORTCODE_PATTERN,
  effectiveRoleMatrix,
  type CreateTenantBody,
  type ListTenantsRequest,
  type RoleMatrixOverride,
  type TenantView,
  type UpdateTenantBody,
} from '@roomkey/contracts';
import { errorLog, ConflictError, InvalidRequestError, NotFoundError } from '@roomkey/errors';
import { CLOCK, EVENT_SINK, KEYS_STORE, type Clock, type EventSink, type KeysStore, type TenantRecord } from '../ports';
import { SigningKeyFactory } from '../signing-keys/signing-key.factory';
import { canTransition, revoke as revokeSigningKey } from '../signing-keys/signing-key-lifecycle';
import type { RequestContext } from '@roomkey/nats';

const CURSOR_PREFIX = 'after:';

function encodeCursor(shortcode: string): string {
  return Buffer.from(`${CURSOR_PREFIX}${shortcode}`).toString('base64url');
}

function decodeCursor(cursor: string): string {
  const decoded = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString() : '';
  const shortcode = decoded.startsWith(CURSOR_PREFIX) ? decoded.slice(CURSOR_PREFIX.length) : '';
  if (!TENANT_SHORTCODE_PATTERN.test(shortcode)) throw new InvalidRequestError("Field 'cursor' must be the nextCursor of a previous page", 'cursor');
  return shortcode;
}

/** The schema admits http(s)-looking text; only a URL parser knows whether it is absolute. */
function absoluteHttpUrl(value: string): string {
  const url = URL.parse(value);
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') throw new InvalidRequestError("Field 'loginUrl' must be an absolute http(s) URL", 'loginUrl');
  return value;
}

function withoutRepeats(override: RoleMatrixOverride): RoleMatrixOverride {
  return Object.fromEntries(Object.entries(override).map(([role, permissions]) => [role, [...new Set(permissions)]]));
}

export function toTenantView(tenant: TenantRecord): TenantView {
  return {
    shortcode: tenant.shortcode,
    name: tenant.name,
    loginUrl: tenant.loginUrl,
    guestAccess: tenant.guestAccess,
    anonymousAccess: tenant.anonymousAccess,
    signingAlg: tenant.signingAlg,
    roleMatrix: effectiveRoleMatrix(tenant.roleMatrix),
    createdAt: new Date(tenant.createdAt).toISOString(),
  };
}

@Injectable()
export class TenantService {
  constructor(
    @Inject(KEYS_STORE) private readonly store: KeysStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EVENT_SINK) private readonly events: EventSink,
    private readonly signingKeyFactory: SigningKeyFactory,
  ) {}

  /** Creates a tenant with an active signing key and a next one already published. */
  async create(command: CreateTenantBody, context: RequestContext): Promise<TenantView> {
    const tenant: TenantRecord = {
      shortcode: command.shortcode,
      name: command.name,
      loginUrl: command.loginUrl ? absoluteHttpUrl(command.loginUrl) : null,
      guestAccess: command.guestAccess ?? false,
      anonymousAccess: command.anonymousAccess ?? false,
      signingAlg: command.signingAlg ?? 'ES256',
      roleMatrix: command.roleMatrix ? withoutRepeats(command.roleMatrix) : null,
      createdAt: this.clock.now(),
    };
    this.refuseTaken(await this.store.tenants.find(tenant.shortcode), tenant.createdAt);
    const keys = await this.signingKeyFactory.initialKeys(tenant.shortcode, tenant.signingAlg);
    try {
      await this.store.transaction(async (tx) => {
        // A shortcode deleted long enough ago is free again: what was left of that tenant goes.
        if (this.refuseTaken(await tx.tenants.find(tenant.shortcode), tenant.createdAt)) await tx.tenants.purge(tenant.shortcode);
        await tx.tenants.insert(tenant);
        for (const key of keys) await tx.signingKeys.insert(key);
      });
    } catch (error) {
      // A concurrent create of the same shortcode loses on the primary key: answer 409, not 500.
      const winner = error instanceof ConflictError ? null : await this.store.tenants.find(tenant.shortcode);
      if (winner && !winner.deletedAt) throw this.exists(tenant.shortcode);
      throw error;
    }
    errorLog.write('info', `Created tenant ${tenant.shortcode}`, {}, context);
    await this.events.publish(tenant.shortcode, 'tenant.created', {}, context.actor);
    return toTenantView(tenant);
  }

  /** The tenant, or 404 (also for a shortcode that could never exist, and for a deleted tenant). */
  async get(shortcode: unknown): Promise<TenantView> {
    return toTenantView(await this.find(shortcode));
  }

  /** Live tenants in shortcode order, one page at a time (an opaque cursor names where the last page ended). */
  async list({ limit = TENANT_PAGE.default, cursor }: ListTenantsRequest): Promise<{ items: TenantView[]; nextCursor: string | null }> {
    const after = cursor === undefined ? null : decodeCursor(cursor);
    const page = await this.store.tenants.listPage(after, limit + 1);
    const items = page.slice(0, limit);
    return { items: items.map(toTenantView), nextCursor: page.length > limit ? encodeCursor(items[items.length - 1].shortcode) : null };
  }

  /**
   * Changes what the body names (null: back to the default); a role matrix given replaces the roles
   * it names. Announced as tenant.updated, which every issuer replica applies at once.
   */
  async update(shortcode: string, patch: UpdateTenantBody, context: RequestContext): Promise<TenantView> {
    const current = await this.find(shortcode);
    const next: TenantRecord = { ...current };
    if (patch.name !== undefined) next.name = patch.name;
    if (patch.loginUrl !== undefined) next.loginUrl = patch.loginUrl === null ? null : absoluteHttpUrl(patch.loginUrl);
    if (patch.guestAccess !== undefined) next.guestAccess = patch.guestAccess;
    if (patch.anonymousAccess !== undefined) next.anonymousAccess = patch.anonymousAccess;
    if (patch.roleMatrix !== undefined) next.roleMatrix = patch.roleMatrix === null ? null : withoutRepeats({ ...current.roleMatrix, ...patch.roleMatrix });
    const changed = (['name', 'loginUrl', 'guestAccess', 'anonymousAccess', 'roleMatrix'] as const).filter(
      (field) => JSON.stringify(next[field]) !== JSON.stringify(current[field]),
    );
    if (changed.length === 0) return toTenantView(current);
    await this.store.tenants.update(next);
    errorLog.write('info', `Updated tenant ${shortcode}: ${changed.join(', ')}`, {}, context);
    await this.events.publish(shortcode, 'tenant.updated', { fields: changed }, context.actor);
    return toTenantView(next);
  }

  /**
   * Deletes a tenant: every API key, client and signing key revoked in one transaction, then
   * announced (api-key.revoked, client.revoked, signing-key.revoked, tenant.deleted). The tenant
   * answers 404 from then on (its JWKS too) and its shortcode stays taken for
   * DELETED_SHORTCODE_HOLD_SECONDS, the longest token lifetime.
   */
  async delete(shortcode: string, context: RequestContext): Promise<void> {
    await this.find(shortcode);
    const revoked = await this.store.transaction(async (tx) => {
      const now = this.clock.now();
      const tenant = await tx.tenants.find(shortcode);
      if (!tenant || tenant.deletedAt) throw this.notFound(shortcode);
      await tx.tenants.update({ ...tenant, deletedAt: now });
      const apiKeys = await tx.apiKeys.listByTenant(shortcode);
      for (const key of apiKeys) if (key.revokedAt === null) await tx.apiKeys.markRevoked(key.apiKey, now);
      const clients = await tx.clients.listByTenant(shortcode);
      for (const client of clients) if (client.revokedAt === null) await tx.clients.update({ ...client, revokedAt: now });
      const kids: string[] = [];
      for (const key of await tx.signingKeys.listByTenant(shortcode)) {
        if (!canTransition(key.state, 'revoked')) continue;
        await tx.signingKeys.update(revokeSigningKey(key, now));
        kids.push(key.kid);
      }
      return { apiKeys: apiKeys.map((k) => k.apiKey), clientIds: clients.map((c) => c.clientId), kids };
    });
    errorLog.write('warn', `Deleted tenant ${shortcode}: ${revoked.apiKeys.length} API keys, ${revoked.clientIds.length} clients, ${revoked.kids.length} signing keys revoked`, {}, context);
    for (const apiKey of revoked.apiKeys) await this.events.publish(shortcode, 'api-key.revoked', { apiKey }, context.actor);
    for (const clientId of revoked.clientIds) await this.events.publish(shortcode, 'client.revoked', { clientId }, context.actor);
    for (const kid of revoked.kids) await this.events.publish(shortcode, 'signing-key.revoked', { kid }, context.actor);
    await this.events.publish(shortcode, 'tenant.deleted', {}, context.actor);
  }

  private async find(shortcode: unknown): Promise<TenantRecord> {
    const valid = typeof shortcode === 'string' && TENANT_SHORTCODE_PATTERN.test(shortcode);
    const record = valid ? await this.store.tenants.find(shortcode) : null;
    if (!record || record.deletedAt) throw this.notFound(shortcode);
    return record;
  }

  private notFound(shortcode: unknown): NotFoundError {
    return new NotFoundError(`Tenant '${String(shortcode)}' not found`);
  }

  /** 409 for a live tenant or one deleted too recently; true when a deleted one may be purged. */
  private refuseTaken(existing: TenantRecord | null, now: number): boolean {
    if (!existing) return false;
    if (!existing.deletedAt) throw this.exists(existing.shortcode);
    const freeAt = existing.deletedAt + DELETED_SHORTCODE_HOLD_SECONDS * 1000;
    if (now < freeAt) {
      throw new ConflictError(`Tenant '${existing.shortcode}' was deleted; its shortcode can be used again from ${new Date(freeAt).toISOString()}`);
    }
    return true;
  }

  private exists(shortcode: string): ConflictError {
    return new ConflictError(`Tenant '${shortcode}' already exists`);
  }
}
