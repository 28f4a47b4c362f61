import { Inject, Injectable } from '@nestjs/common';
import { DEFAULT_KEY_CACHE_SIZE, type IssuerConfig } from '@roomkey/config';
import { ACCESS_TOKEN_TYPE, internRoleMatrix, issuerUrl, mediaPlatformSecretContext, type MediaPlatform, type SigningAlgorithm, type SigningMaterialResult, type TenantView } from '@roomkey/contracts';
import { createHs256Signer, createJwsSigner, type JwsSigner, type SecretBox } from '@roomkey/crypto';
import { UnavailableError } from '@roomkey/errors';
import { importJWK, type CryptoKey, type KeyObject } from 'jose';
import type { JsonWebKey } from 'node:crypto';
import { CLOCK, ISSUER_CONFIG, KEY_DIRECTORY, SECRET_BOX, type Clock, type KeyDirectory } from '../ports';
import { LoadingCache, type CacheLookups } from '../caches/loading-cache';
import type { RequestContext } from '@roomkey/nats';

type ImportedKey = CryptoKey | KeyObject | Uint8Array;

export interface VerificationKey {
  kid: string;
  alg: SigningAlgorithm;
  key: ImportedKey;
}

/**
 * A tenant's keys: the active signing key, made into a synchronous node:crypto signer once (its
 * KeyObject and serialized header kept), and every published verification key, imported with jose
 * the first time a token signed by it is verified. An imported EC key holds ~8–11 KB of native
 * (OpenSSL) memory, and most tenants only ever sign here: importing the next and active public keys
 * up front tripled the issuer's memory per tenant (npm run bench, 10,000 tenants).
 */
export interface Keyring {
  tenant: TenantView;
  issuer: string;
  signer: JwsSigner;
  verifiers: ReadonlyMap<string, () => Promise<VerificationKey>>;
  /** Claim profiles: the media platforms the tenant stored credentials for (secrets opened in memory only). */
  mediaPlatforms: ReadonlyMap<MediaPlatform, MediaPlatformCredentials>;
  loadedAt: number;
}

export interface MediaPlatformCredentials {
  apiKey: string;
  /** The API secret: signs and verifies the platform's HS256 tokens. */
  secret: Uint8Array;
  signer: { sign(claims: object): string };
}

/** An unknown kid reloads the keyring at most this often (a token signed by a brand-new key). */
const UNKNOWN_KID_RELOAD_INTERVAL_MS = 2000;

/**
 * Keyrings of at most `ROOMKEY_KEY_CACHE_SIZE` tenants (default 20,000), least recently used evicted:
 * each costs ~5 KB of native memory for its key and ~4 KB of heap, so an unbounded cache grows with
 * the number of tenants. An evicted tenant's keyring is loaded again from the keys
 * service on its next request; a tenant still in the cache is served while the keys service is away.
 */
@Injectable()
export class KeyringCache {
  private readonly cache: LoadingCache<string, Keyring>;

  constructor(
    @Inject(KEY_DIRECTORY) private readonly directory: KeyDirectory,
    @Inject(SECRET_BOX) private readonly secretBox: SecretBox,
    @Inject(ISSUER_CONFIG) private readonly config: IssuerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.cache = new LoadingCache((tenant, context) => this.load(tenant, context), config.keyCacheSize ?? DEFAULT_KEY_CACHE_SIZE);
  }

  /** Hits and misses (roomkey_cache_lookups_total{cache="keyrings"}). */
  get lookups(): CacheLookups {
    return this.cache.lookups;
  }

  forTenant(tenant: string, context: RequestContext): Promise<Keyring> {
    return this.cache.get(tenant, context);
  }

  /** The verification key for `kid`, reloading once (throttled) when the kid is not known yet. */
  async verificationKey(tenant: string, kid: string, context: RequestContext): Promise<VerificationKey | undefined> {
    const keyring = await this.forTenant(tenant, context);
    let known = keyring.verifiers.get(kid);
    if (!known && this.clock.now() - keyring.loadedAt >= UNKNOWN_KID_RELOAD_INTERVAL_MS) {
      this.cache.invalidate(tenant);
      known = (await this.forTenant(tenant, context)).verifiers.get(kid);
    }
    return known?.();
  }

  invalidate(tenant: string): void {
    this.cache.invalidate(tenant);
  }

  clear(): void {
    this.cache.clear();
  }

  /** Tenants whose keyring is held (or loading). */
  get size(): number {
    return this.cache.size;
  }

  private async load(tenant: string, context: RequestContext): Promise<Keyring> {
    const material: SigningMaterialResult = await this.directory.signingMaterial(tenant, context);
    const verifiers = new Map<string, () => Promise<VerificationKey>>();
    let signer: JwsSigner | undefined;
    for (const key of material.keys) {
      verifiers.set(key.kid, lazyVerificationKey(key.kid, key.alg, key.publicJwk));
      if (key.state === 'active' && key.encryptedPrivateJwk) {
        const privateJwk = JSON.parse(this.secretBox.open(key.encryptedPrivateJwk, key.kid)) as JsonWebKey;
        signer = createJwsSigner(privateJwk, key.alg, key.kid, ACCESS_TOKEN_TYPE);
      }
    }
    if (!signer) throw new UnavailableError(`Tenant '${tenant}' has no active signing key`);
    return {
      // Shared with every tenant on the same matrix (most are on the default one).
      tenant: { ...material.tenant, roleMatrix: internRoleMatrix(material.tenant.roleMatrix) },
      issuer: issuerUrl(this.config.publicUrl, tenant),
      signer,
      verifiers,
      mediaPlatforms: this.openMediaPlatforms(tenant, material),
      loadedAt: this.clock.now(),
    };
  }

  private openMediaPlatforms(tenant: string, material: SigningMaterialResult): ReadonlyMap<MediaPlatform, MediaPlatformCredentials> {
    if (!material.mediaPlatforms?.length) return NO_MEDIA_PLATFORMS;
    const mediaPlatforms = new Map<MediaPlatform, MediaPlatformCredentials>();
    for (const { platform, apiKey, encryptedSecret } of material.mediaPlatforms) {
      const secret = this.secretBox.open(encryptedSecret, mediaPlatformSecretContext(tenant, platform));
      mediaPlatforms.set(platform, { apiKey, secret: new TextEncoder().encode(secret), signer: createHs256Signer(secret) });
    }
    return mediaPlatforms;
  }
}

/** Most tenants store no media-platform credentials: one shared empty map instead of one each. */
const NO_MEDIA_PLATFORMS: ReadonlyMap<MediaPlatform, MediaPlatformCredentials> = new Map();

/**
 * Imports the public key on first use. The closure keeps only what it needs, not the key record it
 * came from (whose sealed private JWK would otherwise stay in memory for every cached tenant).
 */
function lazyVerificationKey(kid: string, alg: SigningAlgorithm, publicJwk: SigningMaterialResult['keys'][number]['publicJwk']): () => Promise<VerificationKey> {
  let imported: Promise<VerificationKey> | undefined;
  return () => (imported ??= importJWK(publicJwk, alg).then((key) => ({ kid, alg, key })));
}
