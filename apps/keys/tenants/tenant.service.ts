import { Inject, Injectable, Logger } from '@nestjs/common';
import { TENANT_SHORTCODE_PATTERN, effectiveRoleMatrix, type CreateTenantBody, type RoleMatrixOverride, type TenantView } from '@roomkey/contracts';
import { ConflictError, InvalidRequestError, NotFoundError } from '@roomkey/errors';
import { CLOCK, EVENT_SINK, KEYS_STORE, type Clock, type EventSink, type KeysStore, type TenantRecord } from '../ports';
import { SigningKeyFactory } from '../signing-keys/signing-key.factory';

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
  private readonly logger = new Logger(TenantService.name);

  constructor(
    @Inject(KEYS_STORE) private readonly store: KeysStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EVENT_SINK) private readonly events: EventSink,
    private readonly signingKeyFactory: SigningKeyFactory,
  ) {}

  /** Creates a tenant with an active signing key and a next one already published. */
  async create(command: CreateTenantBody): Promise<TenantView> {
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
    if (await this.store.tenants.find(tenant.shortcode)) throw this.exists(tenant.shortcode);
    const keys = await this.signingKeyFactory.initialKeys(tenant.shortcode, tenant.signingAlg);
    try {
      await this.store.transaction(async (tx) => {
        if (await tx.tenants.find(tenant.shortcode)) throw this.exists(tenant.shortcode);
        await tx.tenants.insert(tenant);
        for (const key of keys) await tx.signingKeys.insert(key);
      });
    } catch (error) {
      // A concurrent create of the same shortcode loses on the primary key: answer 409, not 500.
      if (!(error instanceof ConflictError) && (await this.store.tenants.find(tenant.shortcode))) throw this.exists(tenant.shortcode);
      throw error;
    }
    this.logger.log(`Created tenant ${tenant.shortcode}`);
    await this.events.publish(tenant.shortcode, 'tenant.created');
    return toTenantView(tenant);
  }

  /** The tenant, or 404 (also for a shortcode that could never exist). */
  async get(shortcode: unknown): Promise<TenantView> {
    const valid = typeof shortcode === 'string' && TENANT_SHORTCODE_PATTERN.test(shortcode);
    const record = valid ? await this.store.tenants.find(shortcode) : null;
    if (!record) throw new NotFoundError(`Tenant '${String(shortcode)}' not found`);
    return toTenantView(record);
  }

  private exists(shortcode: string): ConflictError {
    return new ConflictError(`Tenant '${shortcode}' already exists`);
  }
}
