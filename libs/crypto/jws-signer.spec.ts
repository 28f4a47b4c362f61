/**
 * Tokens signed with node:crypto must verify the same way everywhere media servers and partners
 * verify them: jose, jsonwebtoken (no EdDSA support there) and PyJWT (Debian's python3-jwt).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { JsonWebKey } from 'node:crypto';
import { exportJWK, generateKeyPair, jwtVerify, decodeProtectedHeader } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { createHs256Signer, createJwsSigner, type JwsAlgorithm } from './jws-signer';

const PYTHON = '/usr/bin/python3';
const iat = Math.floor(Date.now() / 1000);
const claims = { iss: 'https://id.example/realms/acme', sub: 'alice', aud: 'roomkey', iat, exp: iat + 3600, jti: 'j-1', name: 'Ålice ✓' };
const now = new Date((iat + 100) * 1000);

async function keyPair(alg: JwsAlgorithm) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, crv: alg === 'EdDSA' ? 'Ed25519' : undefined });
  return { privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey), publicKey };
}

function pyjwtVerify(token: string, publicJwk: object, alg: string): { ok: boolean; out: string } {
  const script = `
import json, sys, jwt
from jwt import algorithms
token, jwk, alg = sys.argv[1], sys.argv[2], sys.argv[3]
cls = {"ES256": algorithms.ECAlgorithm, "RS256": algorithms.RSAAlgorithm, "EdDSA": algorithms.OKPAlgorithm}[alg]
key = cls.from_jwk(jwk)
claims = jwt.decode(token, key, algorithms=[alg], audience="roomkey")
print(json.dumps(claims, ensure_ascii=False))
`;
  const run = spawnSync(PYTHON, ['-c', script, token, JSON.stringify(publicJwk), alg], { encoding: 'utf8' });
  return { ok: run.status === 0, out: run.status === 0 ? run.stdout : run.stderr };
}

describe.each(['ES256', 'EdDSA', 'RS256'] as const)('a %s token signed with node:crypto', (alg) => {
  it('verifies in jose with the same header and claims', async () => {
    const { privateJwk, publicKey } = await keyPair(alg);
    const token = createJwsSigner(privateJwk as JsonWebKey, alg, 'kid-1', 'at+jwt').sign(claims);
    expect(decodeProtectedHeader(token)).toEqual({ alg, kid: 'kid-1', typ: 'at+jwt' });
    const { payload } = await jwtVerify(token, publicKey, { algorithms: [alg], audience: 'roomkey', currentDate: now, typ: 'at+jwt' });
    expect(payload).toEqual(claims);
  });

  it('verifies in jsonwebtoken (ES256 and RS256; it has no EdDSA)', async () => {
    if (alg === 'EdDSA') return;
    const { privateJwk, publicKey } = await keyPair(alg);
    const token = createJwsSigner(privateJwk as JsonWebKey, alg, 'kid-1', 'at+jwt').sign(claims);
    const { createPublicKey } = await import('node:crypto');
    const pem = createPublicKey({ key: (await exportJWK(publicKey)) as import('node:crypto').JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const verified = jsonwebtoken.verify(token, pem, { algorithms: [alg], audience: 'roomkey', clockTimestamp: iat + 100 });
    expect(verified).toEqual(claims);
  });

  it('verifies in PyJWT', async () => {
    expect(existsSync(PYTHON)).toBe(true);
    const { privateJwk, publicJwk } = await keyPair(alg);
    const token = createJwsSigner(privateJwk as JsonWebKey, alg, 'kid-1', 'at+jwt').sign(claims);
    const result = pyjwtVerify(token, publicJwk, alg);
    expect(result.out && result.ok ? JSON.parse(result.out) : result.out).toEqual(claims);
  });

  it('is refused by jose when a byte of the signature changes', async () => {
    const { privateJwk, publicKey } = await keyPair(alg);
    const token = createJwsSigner(privateJwk as JsonWebKey, alg, 'kid-1', 'at+jwt').sign(claims);
    const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BA' : 'AA');
    await expect(jwtVerify(tampered, publicKey, { algorithms: [alg], currentDate: now })).rejects.toThrow();
  });
});

describe('createHs256Signer (claim profiles: the media platforms’ HS256 tokens)', () => {
  const secret = 'a-platform-secret-Ω';
  const token = createHs256Signer(secret).sign(claims);

  it('verifies with jose and jsonwebtoken under the same secret, header {alg: HS256, typ: JWT}', async () => {
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'], currentDate: now });
    expect(payload).toEqual(claims);
    expect(jsonwebtoken.verify(token, secret, { algorithms: ['HS256'], clockTimestamp: iat + 100 })).toEqual(claims);
  });

  it('does not verify under another secret', async () => {
    await expect(jwtVerify(token, new TextEncoder().encode('another-secret'), { algorithms: ['HS256'], currentDate: now })).rejects.toThrow();
  });
});
