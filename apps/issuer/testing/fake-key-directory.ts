/**
 * Typed fakes of the issuer's ports for unit tests: a KeyDirectory holding real key material (made
 * as the keys service makes it: jose key pairs, private JWK sealed under the master key with the kid
 * as associated data), and the issuer's objects built over it with the shared clock and rate limiter.
 */
import type { IssuerConfig } from '@roomkey/config';
import type {
  ClientCredentialRecord,
  CredentialRecord,
  Environment,
  SigningAlgorithm,
  SigningKeyState,
  SigningMaterialResult,
  TenantView,
} from '@roomkey/contracts';
import { DEFAULT_ROLE_MATRIX } from '@roomkey/contracts';
import { SecretBox, SecretHasher, randomBase62, randomToken } from '@roomkey/crypto';
import { NotFoundError } from '@roomkey/errors';
import { randomBytes } from 'node:crypto';
import { generateSigningKey, type GeneratedKey } from '../../keys/signing-keys/key-generator';
import { AccessTokenService } from '../access-tokens/access-token.service';
import { TokenSigner } from '../signing/token-signer';
import { CredentialCache } from '../authentication/credential-cache';
import { KeyringCache } from '../signing/keyring-cache';
import { FakeClock, InMemoryRateLimiter } from '@roomkey/testing';
import { ApiKeyAuthenticator } from '../authentication/api-key-authenticator';
import { AuthenticationThrottle } from '../authentication/authentication-throttle';
import type { KeyDirectory, RevocationStore } from '../ports';
import { PartnerTokenVerifier } from '../verification/partner-token.verifier';
import { ProfileTokenVerifier } from '../verification/profile-token.verifier';
import { TokenVerifier } from '../verification/token-verifier.service';
import { InMemoryRevocationCutoffs } from '../revocation/revocation-cutoffs';

interface FakeKey {
  generated: GeneratedKey;
  state: SigningKeyState;
}

interface FakeTenant {
  view: TenantView;
  keys: FakeKey[];
}

/** Revocations in memory (the KV-backed list replicates the same map across replicas). */
export class InMemoryRevocationStore implements RevocationStore {
  readonly revoked = new Map<string, number>();

  async revoke(tenant: string, jti: string, exp: number): Promise<void> {
    this.revoked.set(`${tenant}.${jti}`, exp);
  }

  isRevoked(tenant: string, jti: string): boolean {
    return this.revoked.has(`${tenant}.${jti}`);
  }
}

export class FakeKeyDirectory implements KeyDirectory {
  readonly credentials = new Map<string, CredentialRecord>();
  readonly clients = new Map<string, ClientCredentialRecord>();
  readonly tenants = new Map<string, FakeTenant>();
  /** Every call, in order, for assertions about caching. */
  readonly resolveCalls: string[] = [];
  readonly materialCalls: string[] = [];

  constructor(
    private readonly secretBox: SecretBox,
    private readonly hasher: SecretHasher,
  ) {}

  async resolveCredential(apiKey: string): Promise<CredentialRecord | null> {
    this.resolveCalls.push(apiKey);
    const record = this.credentials.get(apiKey);
    return record ? { ...record } : null;
  }

  async resolveClient(clientId: string): Promise<ClientCredentialRecord | null> {
    const record = this.clients.get(clientId);
    return record ? structuredClone(record) : null;
  }

  async signingMaterial(tenant: string): Promise<SigningMaterialResult> {
    this.materialCalls.push(tenant);
    const found = this.tenants.get(tenant);
    if (!found) throw new NotFoundError(`Tenant '${tenant}' not found`);
    return {
      tenant: { ...found.view },
      keys: found.keys
        .filter((k) => k.state !== 'retired')
        .map(({ generated, state }) => ({
          kid: generated.kid,
          alg: generated.alg,
          state,
          publicJwk: generated.publicJwk,
          ...(state === 'active'
            ? { encryptedPrivateJwk: this.secretBox.seal(JSON.stringify(generated.privateJwk), generated.kid) }
            : {}),
        })),
    };
  }

  /** A tenant with one active and one next key, as the keys service creates it. */
  async addTenant(shortcode: string, alg: SigningAlgorithm = 'ES256'): Promise<void> {
    const [active, next] = await Promise.all([generateSigningKey(alg), generateSigningKey(alg)]);
    this.tenants.set(shortcode, {
      view: {
        shortcode,
        name: shortcode,
        loginUrl: null,
        roleMatrix: DEFAULT_ROLE_MATRIX,
        guestAccess: false,
        anonymousAccess: false,
        signingAlg: alg,
        createdAt: new Date(0).toISOString(),
      },
      keys: [
        { generated: active, state: 'active' },
        { generated: next, state: 'next' },
      ],
    });
  }

  /** next → active, active → retiring, fresh next. */
  async rotate(shortcode: string): Promise<void> {
    const tenant = this.tenant(shortcode);
    for (const key of tenant.keys) {
      if (key.state === 'active') key.state = 'retiring';
      else if (key.state === 'next') key.state = 'active';
    }
    tenant.keys.push({ generated: await generateSigningKey(tenant.view.signingAlg), state: 'next' });
  }

  setState(shortcode: string, kid: string, state: SigningKeyState): void {
    const key = this.tenant(shortcode).keys.find((k) => k.generated.kid === kid);
    if (!key) throw new Error(`no key ${kid}`);
    key.state = state;
  }

  key(shortcode: string, state: SigningKeyState): GeneratedKey {
    const key = this.tenant(shortcode).keys.find((k) => k.state === state);
    if (!key) throw new Error(`tenant ${shortcode} has no ${state} key`);
    return key.generated;
  }

  /** A new API key of `tenant`; the directory keeps its hash and sealed secret, as the keys service does. */
  addApiKey(tenant: string, environment: Environment): { apiKey: string; secret: string } {
    const apiKey = `${environment === 'production' ? 'rk_prod_' : 'rk_dev_'}${randomBase62(24)}`;
    const secret = randomToken(32);
    this.credentials.set(apiKey, {
      apiKey,
      tenant,
      environment,
      secretHash: this.hasher.hash(secret),
      secretCiphertext: this.secretBox.seal(secret, apiKey),
      revoked: false,
    });
    return { apiKey, secret };
  }

  revokeApiKey(apiKey: string): void {
    const record = this.credentials.get(apiKey);
    if (!record) throw new Error(`no API key ${apiKey}`);
    record.revoked = true;
  }

  private tenant(shortcode: string): FakeTenant {
    const tenant = this.tenants.get(shortcode);
    if (!tenant) throw new Error(`no tenant ${shortcode}`);
    return tenant;
  }
}

export const PUBLIC_URL = 'https://id.roomkey.test';

/** The issuer's objects, built by hand as IssuerModule would wire them. */
export function createIssuerTestKit(startMs: number) {
  const masterKey = randomBytes(32);
  const secretBox = new SecretBox(masterKey);
  const hasher = new SecretHasher(masterKey);
  const clock = new FakeClock(startMs);
  const directory = new FakeKeyDirectory(secretBox, hasher);
  const config: IssuerConfig = {
    natsUrl: 'nats://127.0.0.1:4222',
    namespace: 'roomkey',
    natsAuth: {},
    allowOpenNats: false,
    dataDir: '/nonexistent/roomkey-unit-tests',
    production: false,
    natsRequestTimeoutMs: 5000,
    logLevel: 'silent',
    publicUrl: PUBLIC_URL,
    masterKey,
    authFailuresPerIdentifier: 10,
    authFailuresPerAddress: 100,
    authFailureWindowSeconds: 60,
    loginRequestTtlSeconds: 600,
    refreshTokenTtlSeconds: 30 * 86400,
  };
  const revocations = new InMemoryRevocationStore();
  const cutoffs = new InMemoryRevocationCutoffs();
  const limiter = new InMemoryRateLimiter(clock);
  const throttle = new AuthenticationThrottle(limiter, config);
  const credentials = new CredentialCache(directory, hasher, clock);
  const keyrings = new KeyringCache(directory, secretBox, config, clock);
  const signer = new TokenSigner(keyrings, clock, cutoffs);
  const apiKeys = new ApiKeyAuthenticator(credentials, throttle);
  const accessTokens = new AccessTokenService(apiKeys, signer);
  const partnerTokens = new PartnerTokenVerifier(credentials, secretBox, clock);
  const verifier = new TokenVerifier(apiKeys, keyrings, clock, revocations, partnerTokens, cutoffs, new ProfileTokenVerifier(keyrings, clock, revocations, cutoffs));
  return { masterKey, secretBox, hasher, clock, directory, config, credentials, keyrings, signer, accessTokens, verifier, revocations, cutoffs, limiter, throttle, apiKeys, partnerTokens };
}

export type IssuerTestKit = ReturnType<typeof createIssuerTestKit>;
