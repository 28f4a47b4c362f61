import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  SIGNING_ALGORITHMS,
  TENANT_SHORTCODE_PATTERN,
  effectiveRoleMatrix,
  readBoolean,
  readRoleMatrixOverride,
  readEnum,
  readShortcode,
  readText,
  readUrl,
  rejectUnknownFields,
  requireObject,
  type TenantView,
} from '@roomkey/contracts';
import { ConflictError, NotFoundError } from '@roomkey/errors';
import { CLOCK, EVENT_SINK, KEYS_STORE, type Clock, type EventSink, type KeysStore, type TenantRecord } from '../ports';
import { SigningKeyFactory } from '../signing-keys/signing-key.factory';

const TENANT_FIELDS = ['shortcode', 'name', 'loginUrl', 'guestAccess', 'anonymousAccess', 'signingAlg', 'roleMatrix'] as const;

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
  async create(body: unknown): Promise<TenantView> {
    const fields = requireObject(body);
    rejectUnknownFields(fields, TENANT_FIELDS);
    const tenant: TenantRecord = {
      shortcode: readShortcode(fields.shortcode),
      name: readText(fields, 'name', { max: 255 }),
      loginUrl: readUrl(fields, 'loginUrl') ?? null,
      guestAccess: readBoolean(fields, 'guestAccess', false),
      anonymousAccess: readBoolean(fields, 'anonymousAccess', false),
      signingAlg: readEnum(fields, 'signingAlg', SIGNING_ALGORITHMS, 'ES256'),
      roleMatrix: readRoleMatrixOverride(fields) ?? null,
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
