/** TypeORM entities of the keys service (its own tables; no other service touches them). */
import type { Environment, GrantType, RoleMatrixOverride, SigningAlgorithm, SigningKeyState } from '@roomkey/contracts';
import { Column, Entity, Index, PrimaryColumn, type ValueTransformer } from 'typeorm';
import { AdminKeyEntity } from './admin-key.entity';
import { WebhookEntity } from './webhook.entity';

/** Times are bigint epoch milliseconds in both SQLite and PostgreSQL (portable, no time-zone traps). */
const epochMs: ValueTransformer = {
  to: (value: number | null) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? null : Number(value)),
};

/** A JSON object kept as text, or null. */
const jsonObject: ValueTransformer = {
  to: (value: object | null | undefined) => (value === undefined ? undefined : value === null ? null : JSON.stringify(value)),
  from: (value: string | null) => (value === null || value === undefined ? null : JSON.parse(value)),
};

@Entity('tenants')
export class TenantEntity {
  @PrimaryColumn({ type: 'varchar', length: 63 })
  shortcode: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Column({ name: 'login_url', type: 'varchar', length: 2048, nullable: true })
  loginUrl: string | null;

  @Column({ name: 'guest_access', type: 'boolean' })
  guestAccess: boolean;

  @Column({ name: 'anonymous_access', type: 'boolean' })
  anonymousAccess: boolean;

  @Column({ name: 'signing_alg', type: 'varchar', length: 16 })
  signingAlg: SigningAlgorithm;

  @Column({ name: 'role_matrix', type: 'text', nullable: true, transformer: jsonObject })
  roleMatrix: RoleMatrixOverride | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ name: 'deleted_at', type: 'bigint', nullable: true, transformer: epochMs })
  deletedAt: number | null;
}

@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryColumn({ name: 'api_key', type: 'varchar', length: 64 })
  apiKey: string;

  @Index('idx_api_keys_tenant')
  @Column({ type: 'varchar', length: 63 })
  tenant: string;

  @Column({ type: 'varchar', length: 16 })
  environment: Environment;

  @Column({ type: 'varchar', length: 255, nullable: true })
  name: string | null;

  @Column({ name: 'secret_hash', type: 'varchar', length: 64 })
  secretHash: string;

  @Column({ name: 'secret_ciphertext', type: 'text' })
  secretCiphertext: string;

  @Column({ name: 'previous_secret_hash', type: 'varchar', length: 64, nullable: true })
  previousSecretHash: string | null;

  @Column({ name: 'previous_secret_valid_until', type: 'bigint', nullable: true, transformer: epochMs })
  previousSecretValidUntil: number | null;

  @Column({ name: 'last_used_at', type: 'bigint', nullable: true, transformer: epochMs })
  lastUsedAt: number | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: epochMs })
  revokedAt: number | null;
}

@Entity('signing_keys')
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid: string;

  @Index('idx_signing_keys_tenant')
  @Column({ type: 'varchar', length: 63 })
  tenant: string;

  @Column({ type: 'varchar', length: 16 })
  alg: SigningAlgorithm;

  @Column({ type: 'varchar', length: 16 })
  state: SigningKeyState;

  @Column({ name: 'public_jwk', type: 'text' })
  publicJwk: string;

  @Column({ name: 'private_jwk_ciphertext', type: 'text' })
  privateJwkCiphertext: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ name: 'activated_at', type: 'bigint', nullable: true, transformer: epochMs })
  activatedAt: number | null;

  @Column({ name: 'retiring_at', type: 'bigint', nullable: true, transformer: epochMs })
  retiringAt: number | null;

  @Column({ name: 'retire_after', type: 'bigint', nullable: true, transformer: epochMs })
  retireAfter: number | null;

  @Column({ name: 'retired_at', type: 'bigint', nullable: true, transformer: epochMs })
  retiredAt: number | null;
}


/** JSON arrays kept as text: portable across SQLite and PostgreSQL. */
const jsonList: ValueTransformer = {
  to: (value: string[] | undefined) => (value === undefined ? undefined : JSON.stringify(value)),
  from: (value: string | null) => (value === null || value === undefined ? [] : (JSON.parse(value) as string[])),
};

@Entity('oauth_clients')
export class OAuthClientEntity {
  @PrimaryColumn({ name: 'client_id', type: 'varchar', length: 64 })
  clientId: string;

  @Index('idx_oauth_clients_tenant')
  @Column({ type: 'varchar', length: 63 })
  tenant: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  name: string | null;

  @Column({ name: 'is_public', type: 'boolean' })
  public: boolean;

  @Column({ name: 'grant_types', type: 'text', transformer: jsonList })
  grantTypes: GrantType[];

  @Column({ name: 'redirect_uris', type: 'text', transformer: jsonList })
  redirectUris: string[];

  @Column({ type: 'text', transformer: jsonList })
  audiences: string[];

  @Column({ type: 'text', transformer: jsonList })
  scopes: string[];

  @Column({ name: 'access_token_ttl', type: 'integer' })
  accessTokenTtl: number;

  @Column({ name: 'secret_hash', type: 'varchar', length: 64, nullable: true })
  secretHash: string | null;

  @Column({ name: 'previous_secret_hash', type: 'varchar', length: 64, nullable: true })
  previousSecretHash: string | null;

  @Column({ name: 'previous_secret_valid_until', type: 'bigint', nullable: true, transformer: epochMs })
  previousSecretValidUntil: number | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: epochMs })
  revokedAt: number | null;
}


/** One row: the id this database's deployment was given at its first start (namespace ownership). */
@Entity('deployment')
export class DeploymentEntity {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  singleton: string;

  @Column({ type: 'varchar', length: 64 })
  id: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;
}

export const KEYS_ENTITIES = [TenantEntity, ApiKeyEntity, SigningKeyEntity, OAuthClientEntity, DeploymentEntity, AdminKeyEntity, WebhookEntity];
