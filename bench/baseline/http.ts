/**
 * The bare baseline's HTTP side: Fastify (no NestJS) → one NATS request → the baseline signer →
 * the reply as JSON. Same paths and bodies as roomkey's gateway, so the same load hits both.
 *
 * Environment: BENCH_NATS_URL, BENCH_PORT.
 */
import formbody from '@fastify/formbody';
import { connect } from '@nats-io/transport-node';
import Fastify, { type FastifyReply } from 'fastify';
import { BASELINE_SUBJECTS } from './signer';

const encoder = new TextEncoder();

function basic(authorization: string | undefined): { user: string; password: string } {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  const decoded = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  return { user: decoded.slice(0, Math.max(colon, 0)), password: decoded.slice(colon + 1) };
}

async function main(): Promise<void> {
  const connection = await connect({ servers: process.env.BENCH_NATS_URL, name: 'bench-baseline-http', noAsyncTraces: true });
  const app = Fastify({ bodyLimit: 16 * 1024 });
  await app.register(formbody);

  const forward = async (reply: FastifyReply, subject: string, body: object, status: number) => {
    const message = await connection.request(subject, encoder.encode(JSON.stringify(body)), { timeout: 5000 });
    const { ok, ...result } = message.json<Record<string, unknown>>();
    return reply.code(ok === true ? status : 400).send(result);
  };

  app.post('/v1/access-tokens', (request, reply) => {
    const { user, password } = basic(request.headers.authorization);
    return forward(reply, BASELINE_SUBJECTS.createAccessToken, { ...(request.body as object), apiKey: user, secret: password }, 201);
  });
  app.post('/realms/:tenant/protocol/openid-connect/token', (request, reply) => {
    const { user } = basic(request.headers.authorization);
    return forward(reply, BASELINE_SUBJECTS.clientCredentials, { clientId: user, params: request.body }, 200);
  });
  app.post('/v1/tokens/verify', (request, reply) => {
    const { user, password } = basic(request.headers.authorization);
    return forward(reply, BASELINE_SUBJECTS.verify, { ...(request.body as object), apiKey: user, secret: password }, 200);
  });

  await app.listen({ port: Number(process.env.BENCH_PORT), host: '127.0.0.1' });
  process.stdout.write('baseline http ready\n');
  const stop = () => void app.close().then(() => connection.drain()).finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`baseline http: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
