/**
 * Access-token claims (contract §3, RFC 9068 profile) and their runtime schema. Every verifier runs
 * `parseAccessTokenClaims` after the signature checks, so a token whose claims are not roomkey's
 * shape is rejected even when its signature is good.
 */
import { InvalidTokenError } from '@roomkey/errors';
import { Permission, Role, isPermission, isRole } from './roles';
import { ROOM_ID_PATTERN } from './validation';

export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const DEFAULT_AUDIENCE = 'roomkey';
export const CLOCK_TOLERANCE_SECONDS = 30;

export const TOKEN_KINDS = ['user', 'guest', 'anonymous', 'service'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

export const ENVIRONMENTS = ['production', 'development'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  iat: number;
  exp: number;
  nbf?: number;
  jti: string;
  tid: string;
  client_id: string;
  kind: TokenKind;
  role?: Role;
  perms?: Permission[];
  rooms?: string[];
  env?: Environment;
  scope?: string;
  name?: string;
  image?: string;
  anon_id?: string;
  act?: { sub: string };
}

/** `{PUBLIC_URL}/realms/{tenant}`: the `iss` of every token of that tenant. */
export function issuerUrl(publicUrl: string, tenant: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/realms/${tenant}`;
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function check(condition: unknown, reason: string): asserts condition {
  if (!condition) throw new InvalidTokenError(reason);
}

/** Validates a decoded payload against the claim schema; throws InvalidTokenError otherwise. */
export function parseAccessTokenClaims(payload: unknown): AccessTokenClaims {
  check(typeof payload === 'object' && payload !== null && !Array.isArray(payload), 'payload is not an object');
  const c = payload as Record<string, unknown>;
  check(isString(c.iss) && isString(c.sub) && isString(c.jti) && isString(c.tid) && isString(c.client_id), 'missing string claim');
  check(isString(c.aud) || (Array.isArray(c.aud) && c.aud.length > 0 && c.aud.every(isString)), 'bad aud');
  check(isTime(c.iat) && isTime(c.exp) && c.exp > c.iat, 'bad iat/exp');
  check(c.nbf === undefined || isTime(c.nbf), 'bad nbf');
  check((TOKEN_KINDS as readonly unknown[]).includes(c.kind), 'bad kind');
  check(c.role === undefined || isRole(c.role), 'bad role');
  check(c.perms === undefined || (Array.isArray(c.perms) && c.perms.every(isPermission)), 'bad perms');
  check(c.role === undefined || Array.isArray(c.perms), 'role without perms');
  check(
    c.rooms === undefined ||
      (Array.isArray(c.rooms) && c.rooms.length > 0 && c.rooms.every((r) => typeof r === 'string' && ROOM_ID_PATTERN.test(r))),
    'bad rooms',
  );
  check(c.env === undefined || (ENVIRONMENTS as readonly unknown[]).includes(c.env), 'bad env');
  for (const field of ['scope', 'name', 'image', 'anon_id'] as const) {
    check(c[field] === undefined || typeof c[field] === 'string', `bad ${field}`);
  }
  check(c.act === undefined || (typeof c.act === 'object' && c.act !== null && isString((c.act as { sub?: unknown }).sub)), 'bad act');
  check(c.kind !== 'anonymous' || isString(c.anon_id), 'anonymous token without anon_id');
  return c as unknown as AccessTokenClaims;
}
