/**
 * The NATS transport builds each message's request context from its headers: the request id, the
 * admin actor on internal subjects only, and the deadline a caller announced.
 */
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, type MicroserviceOptions } from '@nestjs/microservices';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { Namespace, type RpcRoute } from '@roomkey/contracts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { natsServerOptions } from './plain-json.transport';
import { InRequest, type RequestContext } from './request-context';
import { RpcClient } from './rpc-client';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startNatsServer, freePort } = require('../../scripts/nats-server') as {
  startNatsServer(options: { port: number; storeDir: string }): Promise<{ url: string; stop(): Promise<void> }>;
  freePort(): Promise<number>;
};

const INTERNAL = 'roomkey.internal.identity.context-probe';
const PUBLIC = 'roomkey.v1.context-probe';

/** What a handler was given, with the deadline as milliseconds left when it ran. */
const described = (context: RequestContext) => ({
  requestId: context.requestId ?? null,
  actor: context.actor ?? null,
  service: context.service ?? null,
  leftMs: context.deadline === undefined ? null : context.deadline - Date.now(),
});

@Controller()
class ProbeHandlers {
  @MessagePattern(INTERNAL)
  internal(_payload: unknown, @InRequest() context: RequestContext) {
    return described(context);
  }

  @MessagePattern(PUBLIC)
  public(_payload: unknown, @InRequest() context: RequestContext) {
    return described(context);
  }
}

@Module({ controllers: [ProbeHandlers] })
class ProbeModule {}

describe('NATS transport: the request context of a message', () => {
  let dir: string;
  let server: { url: string; stop(): Promise<void> };
  let app: Awaited<ReturnType<typeof NestFactory.createMicroservice>>;
  let client: NatsConnection;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'roomkey-transport-'));
    server = await startNatsServer({ port: await freePort(), storeDir: dir });
    const settings = { natsUrl: server.url, namespace: 'roomkey', natsAuth: {}, allowOpenNats: true, production: false, jetStreamReplicas: 1 };
    app = await NestFactory.createMicroservice<MicroserviceOptions>(ProbeModule, { ...natsServerOptions(settings, 'identity'), logger: false });
    await app.listen();
    client = await connect({ servers: server.url });
  });

  afterAll(async () => {
    await client?.close();
    await app?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function ask(subject: string, sent: Record<string, string>) {
    const h = headers();
    for (const [name, value] of Object.entries(sent)) h.set(name, value);
    return (await client.request(subject, '{}', { timeout: 5000, headers: h })).json<ReturnType<typeof described>>();
  }

  it('takes the request id, the actor (internal subjects only) and the caller’s announced wait', async () => {
    const sent = { 'X-Request-Id': 'req-1', 'Roomkey-Actor': 'ak_admin', 'Roomkey-Timeout-Ms': '3000' };
    const internal = await ask(INTERNAL, sent);
    expect(internal).toMatchObject({ requestId: 'req-1', actor: 'ak_admin', service: 'identity' });
    expect(internal.leftMs).toBeGreaterThan(2000);
    expect(internal.leftMs).toBeLessThanOrEqual(3000);
    // Anyone may publish on a public subject: an actor there is not believed; a wait is harmless.
    const outside = await ask(PUBLIC, sent);
    expect(outside.actor).toBeNull();
    expect(outside.leftMs).toBeGreaterThan(2000);
  });

  it('leaves the deadline out when none, or an unusable one, was announced', async () => {
    expect((await ask(INTERNAL, {})).leftMs).toBeNull();
    expect((await ask(INTERNAL, { 'Roomkey-Timeout-Ms': 'soon' })).leftMs).toBeNull();
    expect((await ask(INTERNAL, { 'Roomkey-Timeout-Ms': '0' })).leftMs).toBeNull();
  });

  it('receives the wait RpcClient announces for a request that is not safe to repeat', async () => {
    const route = { subject: INTERNAL, service: 'identity' } as RpcRoute<unknown, ReturnType<typeof described>>;
    const rpc = new RpcClient(client, 2500, new Namespace(), 1000, { enabled: false });
    const answer = await rpc.request(route, {}, { requestId: 'req-2' });
    expect(answer.requestId).toBe('req-2');
    expect(answer.leftMs).toBeGreaterThan(1500);
    expect(answer.leftMs).toBeLessThanOrEqual(2500);
  });
});
