import type { RequestContext } from '@roomkey/nats';
import { Inject, Injectable } from '@nestjs/common';
import {
  ACCESS_TOKEN_TYPE_URN,
  ROLES,
  ROOM_ID_PATTERN,
  SUBJECT_TOKEN_TYPES,
  TOKEN_EXCHANGE_GRANT,
  isRole,
  isRoleAtMost,
  permissionsFor,
  type AccessTokenClaims,
  type Actor,
  type Environment,
  type PartnerTokenClaims,
  type Permission,
  type Role,
  type RoleMatrix,
  type TokenContent,
  type TokenEndpointResult,
} from '@roomkey/contracts';
import { InvalidScopeError, InvalidTargetError, InvalidTokenError, OAuthInvalidRequestError } from '@roomkey/errors';
import { decodeProtectedHeader } from 'jose';
import { TokenSigner } from '../../signing/token-signer';
import { KeyringCache } from '../../signing/keyring-cache';
import { CLOCK, type Clock } from '../../ports';
import { PartnerTokenVerifier } from '../../verification/partner-token.verifier';
import { TokenVerifier } from '../../verification/token-verifier.service';
import { param, repeatedParam, requiredParam } from '../oauth-params';
import { tokenResponse } from '../token-response';
import type { GrantContext, GrantHandler } from './grant-handler';

/** What the subject token holds, whichever kind it was: the ceiling of the exchanged token. */
interface Subject {
  sub: string;
  kind: TokenContent['kind'];
  role?: Role;
  rooms?: string[];
  scopes: string[];
  aud?: string | string[];
  env?: Environment;
  exp: number;
  act?: Actor;
  carried: Pick<TokenContent, 'name' | 'image' | 'metadata' | 'anon_id'>;
}

const INVALID_SUBJECT = 'subject_token is invalid, expired, revoked or not of this tenant';

/**
 * RFC 8693 token exchange: a client trades a subject token — a roomkey access token of the same
 * tenant, or a partner-signed HS256 token (contract §4 verify rules) — for a roomkey access token
 * that is never wider than the subject: role at most the subject's, rooms (`resource`) a subset of
 * its rooms, scope a subset of its scope, expiry no later than its own. The new token names the
 * client as its actor (`act: {sub: client_id}`, an earlier actor nested inside, §4.1).
 */
@Injectable()
export class TokenExchangeGrant implements GrantHandler {
  readonly grantType = TOKEN_EXCHANGE_GRANT;

  constructor(
    private readonly signer: TokenSigner,
    private readonly verifier: TokenVerifier,
    private readonly partnerTokens: PartnerTokenVerifier,
    private readonly keyrings: KeyringCache,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async exchange({ client, tenant, params, request }: GrantContext): Promise<TokenEndpointResult> {
    const subjectToken = requiredParam(params, 'subject_token');
    const subjectTokenType = requiredParam(params, 'subject_token_type');
    if (!(SUBJECT_TOKEN_TYPES as readonly string[]).includes(subjectTokenType)) {
      throw new OAuthInvalidRequestError(`subject_token_type must be one of ${SUBJECT_TOKEN_TYPES.join(', ')}`);
    }
    const requestedType = param(params, 'requested_token_type');
    if (requestedType !== undefined && requestedType !== ACCESS_TOKEN_TYPE_URN) {
      throw new OAuthInvalidRequestError(`requested_token_type must be ${ACCESS_TOKEN_TYPE_URN}`);
    }
    if (param(params, 'actor_token') !== undefined) throw new OAuthInvalidRequestError('actor_token is not supported: the authenticated client is the actor');

    const matrix = (await this.keyrings.forTenant(tenant, request)).tenant.roleMatrix;
    const subject = await this.subject(tenant, subjectToken, matrix, request);
    const role = this.narrowRole(subject, param(params, 'role'));
    const rooms = narrowRooms(subject, repeatedParam(params, 'resource'));
    const scopes = narrowScopes(subject, param(params, 'scope'));
    const audience = narrowAudience(subject, client.audiences, param(params, 'audience'));
    // Rounded up: the signer's iat is at most the next second, so the result never outlives the subject.
    const remaining = subject.exp - Math.ceil(this.clock.now() / 1000);
    if (remaining < 1) throw new OAuthInvalidRequestError(INVALID_SUBJECT);
    const ttlSeconds = Math.min(client.accessTokenTtl, remaining);

    const act: Actor = subject.act ? { sub: client.clientId, act: subject.act } : { sub: client.clientId };
    const content = definedOnly({
      sub: subject.sub,
      kind: subject.kind,
      client_id: client.clientId,
      aud: audience,
      role,
      rooms,
      env: subject.env,
      scope: scopes.length ? scopes.join(' ') : undefined,
      act,
      ...subject.carried,
    });
    const signed = await this.signer.sign(tenant, content, ttlSeconds, 'token_exchange', request);
    return { ...tokenResponse(signed, scopes), issued_token_type: ACCESS_TOKEN_TYPE_URN };
  }

  /** The subject token's holdings; anything invalid about it is `invalid_request` (RFC 8693 §2.2.2). */
  private async subject(tenant: string, token: string, matrix: RoleMatrix, request: RequestContext): Promise<Subject> {
    try {
      return isHs256(token) ? fromPartner(await this.partnerTokens.verify(tenant, token, request), matrix) : fromRoomkey(await this.verifier.verify(tenant, token, request));
    } catch (error) {
      if (error instanceof InvalidTokenError) throw new OAuthInvalidRequestError(INVALID_SUBJECT);
      throw error;
    }
  }

  /** `role` (a roomkey extension): at most the subject's; absent: the subject's. */
  private narrowRole(subject: Subject, requested: string | undefined): Role | undefined {
    if (requested === undefined) return subject.role;
    if (!isRole(requested)) throw new InvalidScopeError(`role must be one of ${ROLES.join(', ')}`);
    if (!subject.role || !isRoleAtMost(requested, subject.role)) {
      throw new InvalidScopeError(`role ${requested} is above what the subject token holds (${subject.role ?? 'no role'})`);
    }
    return requested;
  }
}

function isHs256(token: string): boolean {
  try {
    return decodeProtectedHeader(token).alg === 'HS256';
  } catch {
    throw new OAuthInvalidRequestError(INVALID_SUBJECT);
  }
}

function fromRoomkey(claims: AccessTokenClaims): Subject {
  return {
    sub: claims.sub,
    kind: claims.kind,
    role: claims.role,
    rooms: claims.rooms,
    scopes: claims.scope ? claims.scope.split(' ') : [],
    aud: claims.aud,
    env: claims.env,
    exp: claims.exp,
    act: claims.act,
    carried: definedOnly({ name: claims.name, image: claims.image, metadata: claims.metadata, anon_id: claims.anon_id }),
  };
}

/**
 * A partner token (VideoSDK style) names permissions, not a role: it stands for the highest role
 * of the tenant's matrix whose permissions it all holds. Its user is `sub`, else `participantId`.
 */
function fromPartner(claims: PartnerTokenClaims, matrix: RoleMatrix): Subject {
  const user = typeof claims.sub === 'string' ? claims.sub : claims.participantId;
  if (typeof user !== 'string' || user.length === 0) throw new OAuthInvalidRequestError('The partner subject_token names no user (sub or participantId)');
  const held = new Set(claims.perms as Permission[]);
  const role = ROLES.find((r) => permissionsFor(r, claims.env, matrix).every((p) => held.has(p)));
  if (!role) throw new OAuthInvalidRequestError('The partner subject_token holds less than any role');
  return { sub: user, kind: 'user', role, rooms: claims.rooms, scopes: [], env: claims.env, exp: Number(claims.exp), carried: {} };
}

/** `resource`: rooms, each one the subject may enter; absent: the subject's rooms. */
function narrowRooms(subject: Subject, requested: string[]): string[] | undefined {
  if (requested.length === 0) return subject.rooms;
  const malformed = requested.find((room) => !ROOM_ID_PATTERN.test(room));
  if (malformed !== undefined) throw new InvalidTargetError(`resource '${malformed.slice(0, 128)}' is not a room id`);
  const outside = subject.rooms ? requested.filter((room) => !subject.rooms!.includes(room)) : [];
  if (outside.length) throw new InvalidTargetError(`resource ${outside.join(', ')} is not among the subject token's rooms`);
  return requested;
}

/** `scope`: a subset of the subject's; absent: the subject's. */
function narrowScopes(subject: Subject, requested: string | undefined): string[] {
  if (requested === undefined) return subject.scopes;
  const scopes = [...new Set(requested.split(' ').filter(Boolean))];
  const wider = scopes.filter((s) => !subject.scopes.includes(s));
  if (wider.length) throw new InvalidScopeError(`Scope not held by the subject token: ${wider.join(' ')}`);
  return scopes;
}

/** `audience`: one of the subject token's audiences or of the client's; absent: the subject's. */
function narrowAudience(subject: Subject, clientAudiences: readonly string[], requested: string | undefined): string | string[] | undefined {
  if (requested === undefined) return subject.aud;
  const subjectAudiences = subject.aud === undefined ? [] : Array.isArray(subject.aud) ? subject.aud : [subject.aud];
  if (!subjectAudiences.includes(requested) && !clientAudiences.includes(requested)) {
    throw new InvalidTargetError(`audience '${requested.slice(0, 255)}' is neither the subject token's nor the client's`);
  }
  return requested;
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
