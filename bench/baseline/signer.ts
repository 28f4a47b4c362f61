/**
 * The bare baseline's signer: a plain NATS subscriber (queue group, no NestJS) that signs the same
 * claims as roomkey with jose ES256 (the key imported once) and replies. It checks no credentials
 * and keeps no caches: it is the architecture's ceiling on this machine, not a product.
 *
 * Environment: BENCH_NATS_URL, BENCH_ISSUER (the `iss`), BENCH_TENANT, BENCH_PRIVATE_JWK (JSON, with kid).
 */
import { connect, type Msg } from '@nats-io/transport-node';
import { importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import { isRole, permissionsFor } from '../../libs/contracts/roles';

export const BASELINE_SUBJECTS = {
  createAccessToken: 'bench.baseline.tokens.create',
  clientCredentials: 'bench.baseline.oauth.token',
  verify: 'bench.baseline.tokens.verify',
} as const;

const encoder = new TextEncoder();

async function main(): Promise<void> {
  const issuer = process.env.BENCH_ISSUER ?? '';
  const tenant = process.env.BENCH_TENANT ?? '';
  const jwk = JSON.parse(process.env.BENCH_PRIVATE_JWK ?? '{}') as JWK;
  const privateKey = await importJWK(jwk, 'ES256');
  const { d: _d, ...publicJwk } = jwk;
  const publicKey = await importJWK(publicJwk, 'ES256');
  const header = { alg: 'ES256', kid: jwk.kid, typ: 'at+jwt' };
  const connection = await connect({ servers: process.env.BENCH_NATS_URL, name: 'bench-baseline-signer', noAsyncTraces: true });

  const sign = (claims: Record<string, unknown>, ttl: number) => {
    const iat = Math.floor(Date.now() / 1000);
    const full = { iss: issuer, aud: 'roomkey', ...claims, iat, exp: iat + ttl, jti: randomUUID(), tid: tenant };
    return new SignJWT(full).setProtectedHeader(header).sign(privateKey).then((token) => ({ token, exp: iat + ttl }));
  };
  const reply = (message: Msg, body: object) => message.respond(encoder.encode(JSON.stringify(body)));
  const fail = (message: Msg, error: unknown) => reply(message, { ok: false, error: 'invalid_request', message: String(error) });

  const handlers: Record<string, (body: Record<string, unknown>) => Promise<object>> = {
    // CreateAccessToken: the claims roomkey signs for a production key.
    [BASELINE_SUBJECTS.createAccessToken]: async (body) => {
      const role = isRole(body.role) ? body.role : 'VIEWER';
      const permissions = permissionsFor(role, 'production');
      const rooms = Array.isArray(body.rooms) ? body.rooms : undefined;
      const ttl = typeof body.ttlSeconds === 'number' ? body.ttlSeconds : 3600;
      const { token, exp } = await sign(
        { sub: body.userId, client_id: body.apiKey, kind: 'user', role, perms: permissions, env: 'production', ...(rooms ? { rooms } : {}) },
        ttl,
      );
      return { ok: true, accessToken: token, tokenType: 'Bearer', expiresIn: ttl, expiresAt: new Date(exp * 1000).toISOString(), role, permissions };
    },
    // client_credentials: the claims roomkey signs for a service client.
    [BASELINE_SUBJECTS.clientCredentials]: async (body) => {
      const scope = 'rooms:read';
      const { token } = await sign({ sub: body.clientId, client_id: body.clientId, kind: 'service', scope }, 7200);
      return { ok: true, access_token: token, expires_in: 7200, refresh_expires_in: 0, token_type: 'Bearer', 'not-before-policy': 0, scope };
    },
    [BASELINE_SUBJECTS.verify]: async (body) => {
      const { payload } = await jwtVerify(String(body.token), publicKey, { issuer, algorithms: ['ES256'], typ: 'at+jwt', clockTolerance: 30 });
      return { ok: true, active: true, claims: payload };
    },
  };

  for (const [subject, handle] of Object.entries(handlers)) {
    connection.subscribe(subject, {
      queue: 'bench-baseline',
      callback: (error, message) => {
        if (error) return;
        let body: Record<string, unknown>;
        try {
          body = message.json<Record<string, unknown>>();
        } catch (parseError) {
          fail(message, parseError);
          return;
        }
        handle(body).then(
          (result) => reply(message, result),
          (handlerError: unknown) => fail(message, handlerError),
        );
      },
    });
  }
  await connection.flush();
  process.stdout.write('baseline signer ready\n');
  const stop = () => void connection.drain().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`baseline signer: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
