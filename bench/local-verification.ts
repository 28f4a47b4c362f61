/**
 * Local verification (issue 12's target: ≥ 1.5× plain jose): roomkey's LocalVerifier
 * (libs/verifier) against `jose.jwtVerify` with `createRemoteJWKSet`, both fetching the same JWKS
 * from a local HTTP server, verifying the same pool of ES256 tokens signed by the issuer's code
 * path (createJwsSigner), one at a time on this thread, with the same checks: ES256 only, the
 * issuer, `typ` at+jwt, audience `roomkey`, 30 s clock tolerance, `exp`/`sub`/`jti` required. The
 * LocalVerifier additionally checks canonical base64url, `iat` not in the future, the shape of
 * `perms`/`rooms`, and consults an (empty) RevocationState, so it does no less than jose.
 * The two sides run in alternating slices so that machine noise falls on both.
 *
 * `measureLocalVerification({seconds})` is for bench/main.ts; `node dist/bench/local-verification.js
 * [seconds]` (after `npm run build`) prints the figures on its own.
 */
import { createJwsSigner } from '@roomkey/crypto';
import { LocalVerifier, RevocationState, type Jwks } from '@roomkey/verifier';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { generateKeyPairSync, randomUUID, type JsonWebKey } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface LocalVerificationOptions {
  /** Measurement time per side, in seconds (split into alternating slices). */
  seconds: number;
  /** Distinct tokens cycled through (default 1000). */
  tokens?: number;
  /** Alternating slices per side (default: one per half second, at least 4), so bursts of machine noise fall on both sides. */
  slices?: number;
  onTick?: (what: string) => void;
}

export interface LocalVerificationResult {
  roomkeyPerSecond: number;
  josePerSecond: number;
  /** roomkeyPerSecond / josePerSecond: the issue 12 target (≥ 1.5). */
  ratio: number;
  /**
   * This process's CPU time (all its threads: jose's WebCrypto runs on the libuv pool) per
   * verification, in µs, and jose's over roomkey's: the same comparison, steadier than wall-clock
   * rates when other processes compete for the cores.
   */
  roomkeyCpuUsPerOp: number;
  joseCpuUsPerOp: number;
  cpuRatio: number;
}

const TENANT = 'bench';
const AUDIENCE = 'roomkey';

export async function measureLocalVerification(options: LocalVerificationOptions): Promise<LocalVerificationResult> {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomUUID();
  const jwks: Jwks = { keys: [{ ...(publicKey.export({ format: 'jwk' }) as Record<string, string>), kid, alg: 'ES256', use: 'sig' }] };
  const server = await serveJwks(jwks);
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const issuer = `${base}/realms/${TENANT}`;
    const jwksUrl = `${issuer}/protocol/openid-connect/certs`;
    const tokens = signTokens(privateKey.export({ format: 'jwk' }), kid, issuer, options.tokens ?? 1000);

    const remote = createRemoteJWKSet(new URL(jwksUrl));
    const joseOptions = {
      issuer,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      typ: 'at+jwt',
      clockTolerance: 30,
      requiredClaims: ['exp', 'sub', 'jti'],
    };
    const joseVerify = (token: string) => jwtVerify(token, remote, joseOptions);

    const verifier = new LocalVerifier({
      issuer,
      audience: AUDIENCE,
      jwks: async () => {
        const response = await fetch(jwksUrl);
        if (!response.ok) throw new Error(`JWKS: HTTP ${response.status}`);
        return (await response.json()) as Jwks;
      },
      revocations: new RevocationState(),
    });
    const roomkeyVerify = (token: string) => verifier.verify(token);

    // Both fetch the JWKS and prove they accept the pool before anything is timed.
    for (const token of tokens.slice(0, 10)) {
      await joseVerify(token);
      await roomkeyVerify(token);
    }
    const warmup = Math.min(1, options.seconds / 4);
    await run(joseVerify, tokens, warmup);
    await run(roomkeyVerify, tokens, warmup);

    const slices = options.slices ?? Math.max(4, Math.round(options.seconds * 2));
    const slice = options.seconds / slices;
    const totals = { jose: { count: 0, seconds: 0, cpuSeconds: 0 }, roomkey: { count: 0, seconds: 0, cpuSeconds: 0 } };
    for (let i = 0; i < slices; i++) {
      // Alternate which side goes first, so neither always follows the other's garbage.
      const order = i % 2 === 0 ? (['jose', 'roomkey'] as const) : (['roomkey', 'jose'] as const);
      for (const side of order) {
        const result = await run(side === 'jose' ? joseVerify : roomkeyVerify, tokens, slice);
        totals[side].count += result.count;
        totals[side].seconds += result.seconds;
        totals[side].cpuSeconds += result.cpuSeconds;
        options.onTick?.(`${side} slice ${i + 1}/${slices}: ${Math.round(result.count / result.seconds)}/s`);
      }
    }
    const roomkeyPerSecond = totals.roomkey.count / totals.roomkey.seconds;
    const josePerSecond = totals.jose.count / totals.jose.seconds;
    const roomkeyCpuUsPerOp = (totals.roomkey.cpuSeconds / totals.roomkey.count) * 1e6;
    const joseCpuUsPerOp = (totals.jose.cpuSeconds / totals.jose.count) * 1e6;
    return {
      roomkeyPerSecond,
      josePerSecond,
      ratio: roomkeyPerSecond / josePerSecond,
      roomkeyCpuUsPerOp,
      joseCpuUsPerOp,
      cpuRatio: joseCpuUsPerOp / roomkeyCpuUsPerOp,
    };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Tokens shaped as the issuer mints them (contract §3), ES256 through the issuer's signer. */
function signTokens(privateJwk: JsonWebKey, kid: string, issuer: string, count: number): string[] {
  const signer = createJwsSigner(privateJwk, 'ES256', kid, 'at+jwt');
  const iat = Math.floor(Date.now() / 1000);
  return Array.from({ length: count }, (_, i) =>
    signer.sign({
      iss: issuer,
      sub: `user-${i}`,
      aud: AUDIENCE,
      iat,
      exp: iat + 3600,
      jti: randomUUID(),
      tid: TENANT,
      client_id: 'ak_bench',
      role: 'HOST',
      perms: ['room:join', 'media:publish', 'media:subscribe', 'data:publish', 'room:moderate'],
      rooms: ['lobby'],
      env: 'production',
      kind: 'user',
    }),
  );
}

/** Verifies tokens one after another for `seconds`; every one must pass. */
async function run(verify: (token: string) => Promise<unknown>, tokens: readonly string[], seconds: number): Promise<{ count: number; seconds: number; cpuSeconds: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let count = 0;
  let i = 0;
  while (performance.now() < deadline) {
    for (let batch = 0; batch < 200; batch++) {
      await verify(tokens[i++ % tokens.length]);
      count++;
    }
    // Let the event loop breathe, as a media server's would.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const used = process.cpuUsage(cpu);
  return { count, seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

function serveJwks(jwks: Jwks): Promise<Server> {
  const body = JSON.stringify(jwks);
  const server = createServer((request, response) => {
    if (request.url === `/realms/${TENANT}/protocol/openid-connect/certs`) {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
      response.end(body);
    } else {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

if (require.main === module) {
  const seconds = Number(process.argv[2] ?? 5);
  measureLocalVerification({ seconds, onTick: (line) => console.log(line) })
    .then((r) =>
      console.log(
        `local verification, ES256: roomkey ${Math.round(r.roomkeyPerSecond).toLocaleString('en-US')}/s · jose ${Math.round(r.josePerSecond).toLocaleString('en-US')}/s · ${r.ratio.toFixed(2)}× ` +
          `| CPU per verification: roomkey ${r.roomkeyCpuUsPerOp.toFixed(0)} µs · jose ${r.joseCpuUsPerOp.toFixed(0)} µs · ${r.cpuRatio.toFixed(2)}×`,
      ),
    )
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
