import type { SigningAlgorithm } from '@roomkey/contracts';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

export interface GeneratedKey {
  kid: string;
  alg: SigningAlgorithm;
  publicJwk: JWK;
  privateJwk: JWK;
}

/** A fresh key pair; the kid is its RFC 7638 JWK thumbprint. */
export async function generateSigningKey(alg: SigningAlgorithm): Promise<GeneratedKey> {
  const options = alg === 'RS256' ? { modulusLength: 2048, extractable: true } : { extractable: true };
  const { publicKey, privateKey } = await generateKeyPair(alg === 'EdDSA' ? 'Ed25519' : alg, options);
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const decorate = (jwk: JWK): JWK => ({ ...jwk, kid, alg, use: 'sig' });
  return { kid, alg, publicJwk: decorate(publicJwk), privateJwk: decorate(await exportJWK(privateKey)) };
}
