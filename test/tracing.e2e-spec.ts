/**
 * Traces (issue 13, item 4; contract §6): with OTEL_EXPORTER_OTLP_ENDPOINT set, one CreateAccessToken
 * is one trace whose spans come from the gateway and the issuer, linked parent to child across the
 * NATS hop, exported as OTLP/HTTP JSON to an in-test receiver; unset, no W3C header travels on NATS.
 */
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { flushTracing } from '@roomkey/nats';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { admin, eventually, http, startSystem, testDatabases, type RoomkeySystem } from './support/harness';

const SERVER = 2;
const CLIENT = 3;

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

interface Receiver {
  url: string;
  spans: ReceivedSpan[];
  contentTypes: Set<string>;
  close(): Promise<void>;
}

/** OTLP/JSON ids are hex; older encoders sent base64: both read as hex. */
function hexId(value: unknown): string {
  if (typeof value !== 'string' || value === '') return '';
  return /^[0-9a-f]+$/.test(value) ? value : Buffer.from(value, 'base64').toString('hex');
}

function attributesOf(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of (list as { key: string; value: Record<string, unknown> }[] | undefined) ?? []) {
    out[key] = value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue;
  }
  return out;
}

/** A small OTLP/HTTP receiver: POST /v1/traces in JSON, every span kept with its service.name. */
async function startReceiver(): Promise<Receiver> {
  const spans: ReceivedSpan[] = [];
  const contentTypes = new Set<string>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      contentTypes.add(String(request.headers['content-type']));
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans?: any[] };
      for (const resourceSpans of body.resourceSpans ?? []) {
        const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name']);
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) {
            spans.push({
              service,
              traceId: hexId(span.traceId),
              spanId: hexId(span.spanId),
              parentSpanId: hexId(span.parentSpanId),
              name: span.name,
              kind: span.kind,
              attributes: attributesOf(span.attributes),
            });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    contentTypes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Every message on the deployment's subjects, as a plain NATS client sees it (headers included). */
function watchNats(nats: NatsConnection): Msg[] {
  const seen: Msg[] = [];
  nats.subscribe('roomkey.>', { callback: (_error, message) => {
      seen.push(message);
    },
  });
  return seen;
}

const database = testDatabases()[0];

describe(`traces with OTEL_EXPORTER_OTLP_ENDPOINT set (${database})`, () => {
  let receiver: Receiver;
  let system: RoomkeySystem;
  let nats: NatsConnection;

  beforeAll(async () => {
    receiver = await startReceiver();
    system = await startSystem({ database, otlpEndpoint: receiver.url });
    nats = await connect({ servers: system.natsUrl });
  });

  afterAll(async () => {
    await nats?.close();
    await system?.stop();
    await receiver?.close();
  });

  it('makes one CreateAccessToken one trace across gateway, NATS and issuer, exported as OTLP JSON', async () => {
    await admin(system).createTenant('acme');
    const credentials = await admin(system).createApiKey('acme');
    const messages = watchNats(nats);
    await nats.flush();
    const requestId = `trace-test-${Date.now()}`;
    const answer = await http(system, 'POST', '/v1/access-tokens', {
      body: { userId: 'alice', role: 'HOST', rooms: ['town-hall'] },
      basic: credentials,
      headers: { 'x-request-id': requestId },
    });
    expect(answer.status).toBe(201);

    // The HTTP span ends once the answer has left: flush until the receiver holds it.
    const httpSpan = () => receiver.spans.find((span) => span.service === 'roomkey-gateway' && span.attributes['roomkey.request_id'] === requestId);
    await eventually(async () => {
      await flushTracing();
      return httpSpan() !== undefined;
    }, 10_000);
    const root = httpSpan()!;
    expect(root).toMatchObject({ name: 'POST /v1/access-tokens', kind: SERVER, parentSpanId: '' });
    expect(root.attributes).toMatchObject({ 'http.route': '/v1/access-tokens', 'http.response.status_code': 201 });

    await flushTracing();
    const trace = receiver.spans.filter((span) => span.traceId === root.traceId);
    const services = new Set(trace.map((span) => span.service));
    expect([...services]).toEqual(expect.arrayContaining(['roomkey-gateway', 'roomkey-issuer']));

    // gateway HTTP server span → gateway NATS client span → issuer handler span (across the hop).
    const mint = trace.find((span) => span.service === 'roomkey-gateway' && span.kind === CLIENT && span.name === 'roomkey.v1.tokens.create');
    expect(mint).toBeDefined();
    expect(mint!.parentSpanId).toBe(root.spanId);
    expect(mint!.attributes).toMatchObject({ 'messaging.system': 'nats', 'messaging.destination.name': 'roomkey.v1.tokens.create' });
    const handler = trace.find((span) => span.service === 'roomkey-issuer' && span.kind === SERVER && span.parentSpanId === mint!.spanId);
    expect(handler).toBeDefined();
    expect(handler!.name).toBe('roomkey.v1.tokens.create');
    // Every span of the trace but the root has its parent in the trace: one tree, no orphan.
    const ids = new Set(trace.map((span) => span.spanId));
    expect(trace.filter((span) => span !== root && !ids.has(span.parentSpanId))).toEqual([]);

    // W3C Trace Context travelled on NATS next to X-Request-Id (in headers, a batched mint in its item).
    const carried = messages.filter((message) => message.headers?.get('traceparent') || message.string().includes('"traceparent":"00-'));
    expect(carried.length).toBeGreaterThan(0);
    expect(carried.some((message) => (message.headers?.get('traceparent') || message.string()).includes(root.traceId))).toBe(true);
    for (const message of messages.filter((m) => m.headers?.get('traceparent'))) {
      expect(message.headers!.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    }
    expect([...receiver.contentTypes].every((type) => type.startsWith('application/json'))).toBe(true);
  });
});

describe(`no traces with OTEL_EXPORTER_OTLP_ENDPOINT unset (${database})`, () => {
  let system: RoomkeySystem;
  let nats: NatsConnection;

  beforeAll(async () => {
    system = await startSystem({ database });
    nats = await connect({ servers: system.natsUrl });
  });

  afterAll(async () => {
    await nats?.close();
    await system?.stop();
  });

  it('sends no traceparent on any NATS request, in headers or batch items', async () => {
    const messages = watchNats(nats);
    await nats.flush();
    await admin(system).createTenant('acme');
    const credentials = await admin(system).createApiKey('acme');
    const answer = await http(system, 'POST', '/v1/access-tokens', { body: { userId: 'alice', role: 'HOST' }, basic: credentials, headers: { 'x-request-id': 'untraced-1' } });
    expect(answer.status).toBe(201);
    await nats.flush();
    await eventually(async () => messages.some((message) => message.subject === 'roomkey.internal.issuer.batch' || message.subject === 'roomkey.v1.tokens.create'), 5000);
    // The request id travels (header, or a batch item's field): the watch sees what the services send.
    expect(messages.some((message) => message.headers?.get('X-Request-Id') === 'untraced-1' || message.string().includes('"requestId":"untraced-1"'))).toBe(true);
    for (const message of messages) {
      expect(message.headers?.get('traceparent') ?? '').toBe('');
      expect(message.headers?.get('tracestate') ?? '').toBe('');
      expect(message.string()).not.toContain('traceparent');
    }
  });
});
