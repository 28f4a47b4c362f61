import { Inject, Injectable } from '@nestjs/common';
import { errorLog, NotFoundError } from '@roomkey/errors';
import type {
  JwksResult,
  SigningAlgorithm,
  SigningKeyView,
  SigningMaterialKey,
  SigningMaterialResult,
} from '@roomkey/contracts';
import { CLOCK, EVENT_SINK, KEYS_STORE, type Clock, type EventSink, type KeysStore, type SigningKeyRecord } from '../ports';
import { MediaPlatformService } from '../media-platforms/media-platform.service';
import { TenantService } from '../tenants/tenant.service';
import { SigningKeyFactory } from './signing-key.factory';
import { PUBLISHED_STATES, activate, retire, revoke, startRetiring } from './signing-key-lifecycle';
import { NO_REQUEST, type RequestContext } from '@roomkey/nats';

const STATE_ORDER = { active: 0, next: 1, retiring: 2, retired: 3, revoked: 4 } as const;

export function toSigningKeyView(key: SigningKeyRecord): SigningKeyView {
  return { kid: key.kid, alg: key.alg, state: key.state, createdAt: new Date(key.createdAt).toISOString(), publicJwk: key.publicJwk };
}

@Injectable()
export class SigningKeyService {
  constructor(
    @Inject(KEYS_STORE) private readonly store: KeysStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EVENT_SINK) private readonly events: EventSink,
    private readonly factory: SigningKeyFactory,
    private readonly tenants: TenantService,
    private readonly mediaPlatforms: MediaPlatformService,
  ) {}

  async list(tenant: string): Promise<SigningKeyView[]> {
    await this.tenants.get(tenant);
    const keys = await this.store.signingKeys.listByTenant(tenant);
    return keys.sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || b.createdAt - a.createdAt).map(toSigningKeyView);
  }

  async jwks(tenant: string): Promise<JwksResult> {
    await this.tenants.get(tenant);
    const keys = await this.store.signingKeys.listByTenant(tenant, PUBLISHED_STATES);
    return { keys: keys.sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state]).map((k) => k.publicJwk) };
  }

  /**
   * What an issuer needs to sign and verify: public keys, the active key's sealed private JWK, and
   * the tenant's media-platform secrets (claim profiles), sealed too.
   */
  async signingMaterial(tenant: string): Promise<SigningMaterialResult> {
    const tenantView = await this.tenants.get(tenant);
    const keys = await this.store.signingKeys.listByTenant(tenant, PUBLISHED_STATES);
    const material: SigningMaterialKey[] = keys.map((k) => ({
      kid: k.kid,
      alg: k.alg,
      state: k.state,
      publicJwk: k.publicJwk,
      ...(k.state === 'active' ? { encryptedPrivateJwk: k.privateJwkCiphertext } : {}),
    }));
    return { tenant: tenantView, keys: material, mediaPlatforms: await this.mediaPlatforms.sealed(tenant) };
  }

  /**
   * next → active (creating a next first if there is none), active → retiring, and a fresh next.
   * Returns the new active key.
   */
  async rotate(tenant: string, context: RequestContext, onlyIfActivatedBefore?: number): Promise<SigningKeyView | null> {
    const tenantRecord = await this.tenants.get(tenant);
    const freshNext = await this.factory.newKey(tenant, tenantRecord.signingAlg);
    const rotation = await this.store.transaction(async (tx) => {
      const now = this.clock.now();
      const current = await tx.signingKeys.listByTenant(tenant, ['next', 'active']);
      const active = current.find((k) => k.state === 'active');
      // A scheduled rotation that raced a manual one finds a fresh active key and does nothing.
      if (onlyIfActivatedBefore !== undefined && active && (active.activatedAt ?? 0) >= onlyIfActivatedBefore) return null;
      let next = current.find((k) => k.state === 'next');
      if (!next) {
        next = await this.factory.newKey(tenant, tenantRecord.signingAlg);
        await tx.signingKeys.insert(next);
      }
      // Order matters: at most one active and one next key per tenant at any moment.
      if (active) await tx.signingKeys.update(startRetiring(active, now));
      const nowActive = activate(next, now);
      await tx.signingKeys.update(nowActive);
      await tx.signingKeys.insert({ ...freshNext, createdAt: now });
      return { activated: nowActive, previous: active };
    });
    if (!rotation) return null;
    const { activated, previous } = rotation;
    errorLog.write('info', `Rotated signing key of tenant ${tenant}: kid ${activated.kid} is active`, {}, context);
    await this.events.publish(tenant, 'signing-key.rotated', { kid: activated.kid, ...(previous ? { previousKid: previous.kid } : {}) }, context.actor);
    return toSigningKeyView(activated);
  }

  /**
   * Takes a compromised key out at once: it leaves the JWKS and its tokens stop verifying. Revoking
   * the active key first rotates (the next key takes over), so the tenant can keep issuing.
   */
  async revoke(tenant: string, kid: string, context: RequestContext): Promise<SigningKeyView> {
    await this.tenants.get(tenant);
    const keys = await this.store.signingKeys.listByTenant(tenant);
    const key = keys.find((k) => k.kid === kid);
    if (!key) throw new NotFoundError(`Signing key '${kid}' not found in tenant '${tenant}'`);
    if (key.state === 'active') await this.rotate(tenant, context);
    const current = (await this.store.signingKeys.listByTenant(tenant)).find((k) => k.kid === key.kid)!;
    const revoked = revoke(current, this.clock.now());
    await this.store.signingKeys.update(revoked);
    if (current.state === 'next') await this.store.signingKeys.insert(await this.factory.newKey(tenant, (await this.tenants.get(tenant)).signingAlg));
    errorLog.write('warn', `Revoked signing key ${key.kid} of tenant ${tenant}`, {}, context);
    await this.events.publish(tenant, 'signing-key.revoked', { kid: key.kid }, context.actor);
    return toSigningKeyView(revoked);
  }

  /** Retires keys past their deadline and rotates keys older than the rotation interval (0: never). */
  async sweep(rotationIntervalSeconds: number): Promise<{ retired: number; rotated: number }> {
    // No request asked for this: the sweep's events name no actor, its lines no request.
    const context = NO_REQUEST;
    const now = this.clock.now();
    let retired = 0;
    for (const key of await this.store.signingKeys.listRetirable(now)) {
      await this.store.signingKeys.update(retire(key, now));
      await this.events.publish(key.tenant, 'signing-key.retired', { kid: key.kid }, context.actor);
      retired++;
    }
    let rotated = 0;
    if (rotationIntervalSeconds > 0) {
      const activatedBefore = now - rotationIntervalSeconds * 1000;
      for (const tenant of await this.store.signingKeys.listTenantsWithActiveKeyOlderThan(activatedBefore)) {
        if (await this.rotate(tenant, context, activatedBefore)) rotated++;
      }
    }
    return { retired, rotated };
  }
}
