/**
 * The peer: node-oidc-provider serving client_credentials with JWT access tokens (ES256, via
 * resource indicators) for one confidential client, in its own process.
 *
 * Environment: BENCH_PORT, BENCH_CLIENT_ID, BENCH_CLIENT_SECRET, BENCH_PRIVATE_JWK (JSON, with kid).
 */
import { createServer } from 'node:http';

export const PEER_RESOURCE = 'urn:roomkey:bench';
export const PEER_SCOPE = 'rooms:read';

async function main(): Promise<void> {
  // oidc-provider is ESM-only; Node ≥ 20.19 loads it from this CommonJS build.
  const { default: Provider } = await import('oidc-provider');
  const port = Number(process.env.BENCH_PORT);
  const issuer = `http://127.0.0.1:${port}`;
  const privateJwk = JSON.parse(process.env.BENCH_PRIVATE_JWK ?? '{}') as Record<string, unknown>;
  const resourceServer = {
    scope: PEER_SCOPE,
    audience: 'roomkey',
    accessTokenTTL: 7200,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'ES256' } },
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: process.env.BENCH_CLIENT_ID,
        client_secret: process.env.BENCH_CLIENT_SECRET,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        // The provider holds one ES256 key only (the default would be RS256).
        id_token_signed_response_alg: 'ES256',
        scope: PEER_SCOPE,
      },
    ],
    scopes: ['openid', PEER_SCOPE],
    ttl: { ClientCredentials: resourceServer.accessTokenTTL },
    jwks: { keys: [{ ...privateJwk, use: 'sig', alg: 'ES256' }] },
    cookies: { keys: ['bench-peer-cookie-key-not-used-by-client-credentials'] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => PEER_RESOURCE,
        getResourceServerInfo: () => resourceServer,
        useGrantedResource: () => true,
      },
    },
  });
  const server = createServer(provider.callback());
  await new Promise<void>((resolveListen) => server.listen(port, '127.0.0.1', resolveListen));
  process.stdout.write(`peer oidc-provider ready at ${issuer}\n`);
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`peer oidc-provider: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
