import { Inject, Injectable } from '@nestjs/common';
import type { IssuerConfig } from '@roomkey/config';
import type { MediaPlatform, Role, TokenMetadata } from '@roomkey/contracts';
import { randomToken } from '@roomkey/crypto';
import { InvalidGrantError } from '@roomkey/errors';
import { randomUUID } from 'node:crypto';
import { CLOCK, ISSUER_CONFIG, REFRESH_TOKENS, TOKEN_FAMILIES, type Clock } from '../../ports';
import { TokenRevoker } from '../../revocation/token-revoker';
import { tokenHash } from './pkce';
import type { VersionedStore, RequestContext } from '@roomkey/nats';

/** What a refresh token stands for: the login it came from. Stored by the token's hash. */
export interface RefreshTokenRecord {
  familyId: string;
  tenant: string;
  clientId: string;
  subject: string;
  role?: Role;
  rooms?: string[];
  scopes: string[];
  audience: string | null;
  metadata?: TokenMetadata;
  /** The claim profile of the login: refreshed access tokens keep it. */
  profile?: MediaPlatform;
  state: 'active' | 'used';
  expiresAt: number;
}

export type RefreshGrant = Omit<RefreshTokenRecord, 'state' | 'expiresAt'>;

/** Every token descended from one authorization code; reuse of a rotated refresh token revokes them all. */
export interface TokenFamily {
  id: string;
  tenant: string;
  clientId: string;
  revoked: boolean;
  accessTokens: Array<{ jti: string; exp: number }>;
}

const INVALID = 'Refresh token is invalid, expired or revoked';

/**
 * Refresh-token rotation (OAuth 2.1, security BCP): each use returns a new refresh token and retires
 * the old one; presenting a retired one revokes the whole family, across replicas (KV + CAS).
 */
@Injectable()
export class RefreshTokenService {
  constructor(
    @Inject(REFRESH_TOKENS) private readonly tokens: VersionedStore<RefreshTokenRecord>,
    @Inject(TOKEN_FAMILIES) private readonly families: VersionedStore<TokenFamily>,
    private readonly revoker: TokenRevoker,
    @Inject(ISSUER_CONFIG) private readonly config: IssuerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  get lifetimeSeconds(): number {
    return this.config.refreshTokenTtlSeconds;
  }

  async startFamily(tenant: string, clientId: string): Promise<string> {
    const id = randomUUID();
    await this.families.create(id, { id, tenant, clientId, revoked: false, accessTokens: [] });
    return id;
  }

  async issue(grant: RefreshGrant): Promise<string> {
    const token = randomToken(32);
    await this.tokens.create(tokenHash(token), { ...grant, state: 'active', expiresAt: this.clock.now() + this.lifetimeSeconds * 1000 });
    return token;
  }

  /** Marks the presented token used and returns what it stands for; a second use revokes the family. */
  async consume(token: string, clientId: string, context: RequestContext): Promise<RefreshTokenRecord> {
    const { before } = await this.tokens.modify(tokenHash(token), async (record) => {
      if (!record || record.clientId !== clientId || this.clock.now() > record.expiresAt) throw new InvalidGrantError(INVALID);
      const family = await this.families.get(record.familyId);
      if (!family || family.value.revoked) throw new InvalidGrantError(INVALID);
      if (record.state === 'used') {
        await this.revokeFamily(record.familyId, context);
        throw new InvalidGrantError('Refresh token was already used; every token of its family is revoked');
      }
      return { ...record, state: 'used' };
    });
    return before!;
  }

  /** Remembers an access token of the family; if the family was revoked meanwhile, revokes it at once. */
  async recordAccessToken(familyId: string, jti: string, exp: number, context: RequestContext): Promise<void> {
    const { after: family } = await this.families.modify(familyId, (family) => {
      if (!family || family.revoked) return undefined;
      const now = this.clock.now() / 1000;
      // Keep only tokens that can still be used: the list stays short however long the family lives.
      return { ...family, accessTokens: [...family.accessTokens.filter((t) => t.exp > now), { jti, exp }] };
    });
    if (family?.revoked) await this.revoker.revoke(family.tenant, jti, exp, context);
  }

  async revokeFamily(familyId: string, context: RequestContext): Promise<void> {
    // Already revoked: revoke its tokens again all the same (idempotent), as a reuse may race the first revocation.
    const { after: family } = await this.families.modify(familyId, (family) => (family && !family.revoked ? { ...family, revoked: true } : undefined));
    if (!family) return;
    for (const token of family.accessTokens) await this.revoker.revoke(family.tenant, token.jti, token.exp, context);
  }
}
