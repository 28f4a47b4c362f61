/**
 * Public keys from a JWKS, imported once as node:crypto KeyObjects, each with the one algorithm
 * its type allows (contract §3: an allowlist per key; never `none`, never HS* against an asymmetric
 * key). The algorithm comes from the key, never from the token: P-256 → ES256, Ed25519 → EdDSA,
 * RSA (≥ 2048 bits) → RS256. Symmetric (`oct`) and unknown keys are skipped.
 */
import { createPublicKey, type JsonWebKey as NodeJsonWebKey, type KeyObject } from 'node:crypto';

export type VerificationAlgorithm = 'ES256' | 'EdDSA' | 'RS256';

/** A JSON Web Key as a JWKS endpoint serves it (RFC 7517); only the public members are read. */
export interface Jwk {
  kty?: string;
  kid?: string;
  alg?: string;
  use?: string;
  key_ops?: string[];
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
  [member: string]: unknown;
}

export interface Jwks {
  keys: Jwk[];
}

export interface VerificationKey {
  readonly kid: string;
  readonly alg: VerificationAlgorithm;
  readonly key: KeyObject;
  /** The digest for `crypto.verify` (null for Ed25519). */
  readonly digest: string | null;
  /** What `crypto.verify` takes as its key: the KeyObject, with `dsaEncoding: 'ieee-p1363'` for ES256 (JWS wants r||s). */
  readonly verifyKey: KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' };
  /** Exact signature length in bytes. */
  readonly signatureLength: number;
  /** The public members this key was imported from, to notice a kid whose key changed. */
  readonly fingerprint: string;
}

const MIN_RSA_BITS = 2048;
/** More keys than any tenant's keyring holds (current, next, retired); a larger JWKS is truncated. */
export const MAX_JWKS_KEYS = 64;

/** The algorithm a key allows, from its type alone; undefined for keys roomkey tokens are never signed with. */
export function algorithmForJwk(jwk: Jwk): VerificationAlgorithm | undefined {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  if (jwk.kty === 'RSA') return 'RS256';
  return undefined;
}

function fingerprintOf(jwk: Jwk): string {
  return JSON.stringify([jwk.kty, jwk.crv, jwk.x, jwk.y, jwk.n, jwk.e]);
}

/** One usable verification key, or undefined (with no exception) for anything else. */
export function importJwk(jwk: unknown, reuse?: VerificationKey): VerificationKey | undefined {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return undefined;
  const k = jwk as Jwk;
  if (typeof k.kid !== 'string' || k.kid.length === 0) return undefined;
  if (k.use !== undefined && k.use !== 'sig') return undefined;
  if (k.key_ops !== undefined && !(Array.isArray(k.key_ops) && k.key_ops.includes('verify'))) return undefined;
  const alg = algorithmForJwk(k);
  if (!alg) return undefined;
  // A JWK that names another algorithm than its type allows is a misconfiguration: refuse the key.
  if (k.alg !== undefined && k.alg !== alg) return undefined;
  const fingerprint = fingerprintOf(k);
  if (reuse && reuse.kid === k.kid && reuse.fingerprint === fingerprint) return reuse;
  // Only the public members go to node:crypto, so a JWKS that leaked `d` still yields a public key.
  const members: Record<string, unknown> = { kty: k.kty };
  for (const name of alg === 'RS256' ? ['n', 'e'] : alg === 'ES256' ? ['crv', 'x', 'y'] : ['crv', 'x']) {
    if (typeof k[name] !== 'string') return undefined;
    members[name] = k[name];
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: members as NodeJsonWebKey, format: 'jwk' });
  } catch {
    return undefined;
  }
  let signatureLength = 64;
  if (alg === 'RS256') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) return undefined;
    signatureLength = Math.ceil(bits / 8);
  }
  return {
    kid: k.kid,
    alg,
    key,
    digest: alg === 'EdDSA' ? null : 'sha256',
    verifyKey: alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key,
    signatureLength,
    fingerprint,
  };
}

/** The usable keys of a JWKS by kid; keys already imported with the same public members are reused. */
export function importJwks(jwks: unknown, previous?: ReadonlyMap<string, VerificationKey>): Map<string, VerificationKey> {
  const keys = new Map<string, VerificationKey>();
  const list = typeof jwks === 'object' && jwks !== null ? (jwks as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(list)) return keys;
  for (const jwk of list.slice(0, MAX_JWKS_KEYS)) {
    const kid = typeof jwk === 'object' && jwk !== null ? (jwk as Jwk).kid : undefined;
    const key = importJwk(jwk, typeof kid === 'string' ? previous?.get(kid) : undefined);
    // A kid served twice is ambiguous: the first wins, as in the keys service's own order.
    if (key && !keys.has(key.kid)) keys.set(key.kid, key);
  }
  return keys;
}
