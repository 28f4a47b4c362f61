/**
 * Issue 15, part 3: webhooks against the real services on a private NATS. A receiver in the test
 * (node:http) gets signed deliveries whose Standard Webhooks signature is checked here with
 * node:crypto alone; an endpoint answering 500 gets the event again; a hanging one delays no other;
 * the deliveries list shows each outcome; bad input is refused with 400 naming the field.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { decodeJwt } from 'jose';
import type { INestMicroservice } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { startKeysService } from '../apps/keys/keys.app';
import { WebhookDispatcher } from '../apps/keys/webhooks/webhook-dispatcher';
import { openSse } from './support/sse-client';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { admin, eventually, http, startSystem, testDatabases, type RoomkeySystem } from './support/harness';
import { natsRoles } from './support/nats-roles';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

/** Checks a delivery as a receiver would, from the spec only: v1,<base64 HMAC-SHA256(key, "id.timestamp.body")>. */
/** A webhook endpoint for the test: records every delivery, then lets `answer` respond (default 204). */
function startReceiver(received: Received[], answer: (request: IncomingMessage, response: ServerResponse) => void = (_q, r) => void r.writeHead(204).end()): Server {
  return createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url!, headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      answer(request, response);
    });
  });
}

function signatureHolds(secret: string, delivery: Received): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${delivery.headers['webhook-id']}.${delivery.headers['webhook-timestamp']}.${delivery.body}`).digest();
  return String(delivery.headers['webhook-signature'])
    .split(' ')
    .some((entry) => {
      const [version, signature] = entry.split(',');
      const given = Buffer.from(signature ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

describe.each(testDatabases())('webhooks (%s)', (database) => {
  let system: RoomkeySystem;
  let receiver: Server;
  let base: string;
  let nats: NatsConnection;
  let apiKey: { apiKey: string; secret: string };
  const received: Received[] = [];
  const hanging: ServerResponse[] = [];
  let flakyAnswered = 0;

  beforeAll(async () => {
    receiver = startReceiver(received, (request, response) => {
      if (request.url === '/hang') return void hanging.push(response);
      if (request.url === '/always-500') return void response.writeHead(500).end();
      if (request.url === '/flaky' && flakyAnswered++ === 0) return void response.writeHead(500).end('not yet');
      response.writeHead(204).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    // Short back-off, deadline and retry window so that retries and give-ups happen within the test.
    system = await startSystem({ database, keys: { webhooks: { retryBaseMs: 200, timeoutMs: 1500, retryForSeconds: 4 } } });
    await admin(system).createTenant('hooks');
    await admin(system).createTenant('other');
    apiKey = await admin(system).createApiKey('hooks');
    nats = await connect({ servers: system.natsUrl });
  });

  afterAll(async () => {
    for (const response of hanging) response.destroy();
    await nats?.close();
    await system?.stop();
    receiver?.closeAllConnections();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const register = async (path: string, events: string[], tenant = 'hooks') => {
    const answer = await admin(system).call('POST', `/admin/tenants/${tenant}/webhooks`, { url: `${base}${path}`, events });
    expect(answer.status).toBe(201);
    return answer.body as { id: string; url: string; events: string[]; secret: string; createdAt: string };
  };
  const revokeNewToken = async () => {
    const minted = await http(system, 'POST', '/v1/access-tokens', { basic: apiKey, body: { userId: 'hook-user', role: 'GUEST' } });
    expect(minted.status).toBe(201);
    const answer = await http(system, 'POST', '/v1/tokens/revoke', { basic: apiKey, body: { token: minted.body.accessToken } });
    expect(answer.status).toBe(200);
    return decodeJwt(minted.body.accessToken).jti as string;
  };
  const deliveredTo = (path: string, jti?: string) => received.filter((r) => r.path === path && (jti === undefined || JSON.parse(r.body).jti === jti));
  const deliveries = async (id: string) => (await admin(system).call('GET', `/admin/tenants/hooks/webhooks/${id}/deliveries`)).body.items as any[];
  const consumerNames = async () => {
    const manager = await jetstreamManager(nats);
    const names: string[] = [];
    for await (const info of manager.consumers.list('ROOMKEY_EVENTS')) names.push(info.name);
    return names;
  };

  it('delivers a token.revoked event signed per Standard Webhooks, only the types chosen', async () => {
    const hook = await register('/ok', ['token.revoked']);
    expect(hook).toEqual({ id: expect.stringMatching(/^wh_/), url: `${base}/ok`, events: ['token.revoked'], secret: expect.stringMatching(/^whsec_/), createdAt: expect.any(String) });
    expect(Buffer.from(hook.secret.slice(6), 'base64')).toHaveLength(32);
    await admin(system).createApiKey('hooks'); // api-key.created: not chosen
    const jti = await revokeNewToken();
    await eventually(async () => deliveredTo('/ok', jti).length === 1, 10_000);
    const [delivery] = deliveredTo('/ok', jti);
    expect(delivery.headers['content-type']).toBe('application/json');
    expect(delivery.headers['webhook-id']).toMatch(/^msg_/);
    expect(Math.abs(Number(delivery.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expect(signatureHolds(hook.secret, delivery)).toBe(true);
    expect(signatureHolds(hook.secret, { ...delivery, body: delivery.body.replace(jti, 'x') })).toBe(false);
    expect(JSON.parse(delivery.body)).toEqual({ id: expect.any(String), type: 'token.revoked', tenant: 'hooks', occurredAt: expect.any(String), jti, exp: expect.any(Number) });
    expect(received.filter((r) => r.path === '/ok').every((r) => JSON.parse(r.body).type === 'token.revoked')).toBe(true);
    await eventually(async () => (await deliveries(hook.id)).some((d) => d.eventId === JSON.parse(delivery.body).id && d.state === 'delivered'), 5000);
    const [outcome] = (await deliveries(hook.id)).filter((d) => d.eventId === JSON.parse(delivery.body).id);
    expect(outcome).toEqual({ id: delivery.headers['webhook-id'], eventId: JSON.parse(delivery.body).id, type: 'token.revoked', attempts: 1, lastStatus: 204, lastAttemptAt: expect.any(String), state: 'delivered' });
  });

  it('retries an endpoint that answered 500, with the same webhook-id, and records both outcomes', async () => {
    const hook = await register('/flaky', ['token.revoked']);
    const jti = await revokeNewToken();
    await eventually(async () => deliveredTo('/flaky', jti).length === 2, 10_000);
    const [first, second] = deliveredTo('/flaky', jti);
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(second.body).toBe(first.body);
    expect(signatureHolds(hook.secret, second)).toBe(true);
    expect(second.at - first.at).toBeGreaterThanOrEqual(90); // backed off (200 ms base, jittered to 50–100 %)
    await eventually(async () => (await deliveries(hook.id)).some((d) => d.state === 'delivered'), 5000);
    expect((await deliveries(hook.id))[0]).toMatchObject({ attempts: 2, lastStatus: 204, state: 'delivered' });
  });

  it('never lets a hanging endpoint delay another, and gives up after the retry window (failed)', async () => {
    const hang = await register('/hang', ['token.revoked']);
    const broken = await register('/always-500', ['token.revoked']);
    await register('/fast', ['token.revoked']);
    const jti = await revokeNewToken();
    const revokedAt = Date.now();
    await eventually(async () => deliveredTo('/fast', jti).length === 1 && deliveredTo('/hang', jti).length >= 1, 10_000);
    // The fast endpoint got it while the hanging one had not answered (its deadline is 1.5 s).
    expect(deliveredTo('/fast', jti)[0].at - revokedAt).toBeLessThan(1500);
    await eventually(async () => (await deliveries(hang.id)).some((d) => d.lastError?.includes('No answer')), 10_000, 100);
    expect((await deliveries(hang.id))[0]).toMatchObject({ lastStatus: null, state: expect.stringMatching(/pending|failed/) });
    await eventually(async () => (await deliveries(broken.id))[0]?.state === 'failed', 15_000, 200);
    const [failed] = await deliveries(broken.id);
    expect(failed).toMatchObject({ lastStatus: 500, lastError: 'The endpoint answered 500', state: 'failed' });
    expect(failed.attempts).toBeGreaterThan(1);
    expect(failed.nextAttemptAt).toBeUndefined();
    const pending = deliveredTo('/always-500', jti).length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(deliveredTo('/always-500', jti).length).toBe(pending); // given up: no more attempts
  });

  it('lists webhooks without secrets, deletes them with their consumer, and announces both with the actor', async () => {
    const hook = await register('/deleted', ['token.revoked']);
    const listed = await admin(system).call('GET', '/admin/tenants/hooks/webhooks');
    expect(listed.status).toBe(200);
    expect(listed.body.items).toContainEqual({ id: hook.id, url: hook.url, events: ['token.revoked'], createdAt: hook.createdAt });
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
    expect(await consumerNames()).toContain(`webhook_${hook.id}`);
    expect((await admin(system).call('DELETE', `/admin/tenants/hooks/webhooks/${hook.id}`)).status).toBe(204);
    expect(await consumerNames()).not.toContain(`webhook_${hook.id}`);
    expect((await admin(system).call('DELETE', `/admin/tenants/hooks/webhooks/${hook.id}`)).status).toBe(404);
    expect((await admin(system).call('GET', `/admin/tenants/hooks/webhooks/${hook.id}/deliveries`)).status).toBe(404);
    const jti = await revokeNewToken();
    await eventually(async () => deliveredTo('/ok', jti).length === 1, 10_000);
    expect(deliveredTo('/deleted')).toHaveLength(0);
    const events = (await admin(system).call('GET', '/admin/tenants/hooks/events?limit=200')).body.items as any[];
    expect(events).toContainEqual(expect.objectContaining({ type: 'webhook.created', webhookId: hook.id, events: ['token.revoked'], actor: 'bootstrap' }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'webhook.deleted', webhookId: hook.id, actor: 'bootstrap' }));
    expect(JSON.stringify(events)).not.toContain('whsec_');
    expect(JSON.stringify(events)).not.toContain(hook.url); // a URL may hold the partner's own token
    // Another tenant's webhook is not found through this one.
    const foreign = await register('/foreign', ['token.revoked'], 'other');
    expect((await admin(system).call('DELETE', `/admin/tenants/hooks/webhooks/${foreign.id}`)).status).toBe(404);
  });

  it('refuses bad input with 400 naming the field, unknown tenants with 404, and enforces scopes', async () => {
    const create = (body: unknown, tenant = 'hooks') => admin(system).call('POST', `/admin/tenants/${tenant}/webhooks`, body);
    for (const [body, field] of [
      [{ url: 'ftp://example.test/hook', events: ['token.revoked'] }, 'url'],
      [{ url: 'not a url', events: ['token.revoked'] }, 'url'],
      [{ url: 'https://user:pw@example.test/hook', events: ['token.revoked'] }, 'url'],
      [{ events: ['token.revoked'] }, 'url'],
      [{ url: 'https://example.test/hook', events: ['no.such-type'] }, 'events'],
      [{ url: 'https://example.test/hook', events: [] }, 'events'],
      [{ url: 'https://example.test/hook', events: 'token.revoked' }, 'events'],
      [{ url: 'https://example.test/hook' }, 'events'],
      [{ url: 'https://example.test/hook', events: ['token.revoked'], extra: 1 }, 'extra'],
    ] as const) {
      const answer = await create(body);
      expect([answer.status, answer.body.error]).toEqual([400, 'invalid_request']);
      expect(answer.body.message).toContain(field);
    }
    expect((await create({ url: 'https://example.test/hook', events: ['token.revoked'] }, 'nosuch')).status).toBe(404);

    const key = async (scopes: string[]) => (await admin(system).call('POST', '/admin/admin-keys', { scopes })).body.secret as string;
    const reader = await key(['events:read']);
    const writer = await key(['keys:write']);
    const as = (secret: string, method: string, path: string, body?: unknown) => http(system, method, path, { bearer: secret, body });
    const made = await as(writer, 'POST', '/admin/tenants/hooks/webhooks', { url: 'https://example.test/hook', events: ['tenant.updated'] });
    expect(made.status).toBe(201);
    expect((await as(reader, 'POST', '/admin/tenants/hooks/webhooks', { url: 'https://example.test/hook', events: ['tenant.updated'] })).status).toBe(403);
    expect((await as(reader, 'GET', `/admin/tenants/hooks/webhooks/${made.body.id}/deliveries`)).status).toBe(200);
    expect((await as(writer, 'GET', `/admin/tenants/hooks/webhooks/${made.body.id}/deliveries`)).status).toBe(200);
    expect((await as(reader, 'DELETE', `/admin/tenants/hooks/webhooks/${made.body.id}`)).status).toBe(403);
    expect((await as(writer, 'DELETE', `/admin/tenants/hooks/webhooks/${made.body.id}`)).status).toBe(204);
  });
});

describe.each(testDatabases())('webhooks and the revocation stream under the services role, two keys replicas (%s)', (database) => {
  const roles = natsRoles();
  let system: RoomkeySystem;
  let secondKeys: INestMicroservice;
  let receiver: Server;
  let base: string;
  const received: Received[] = [];

  beforeAll(async () => {
    receiver = startReceiver(received, (_request, response) => void response.writeHead(200).end());
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    system = await startSystem({
      database,
      ...roles.system,
      keys: { webhooks: { retryBaseMs: 200 } },
    });
    secondKeys = await startKeysService(system.configs.keys);
    await admin(system).createTenant('roles');
  });

  afterAll(async () => {
    await secondKeys?.close();
    await system?.stop();
    receiver?.closeAllConnections();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('delivers each event once although both keys replicas consume, and streams revocations, within the services permissions', async () => {
    const key = await admin(system).createApiKey('roles');
    const hook = (await admin(system).call('POST', '/admin/tenants/roles/webhooks', { url: `${base}/both`, events: ['token.revoked'] })).body;
    expect(hook.secret).toMatch(/^whsec_/);
    // The second replica learns of the endpoint from the webhook.created event (or its resync).
    const dispatchers = [system.keys!, secondKeys].map((app) => app.get(WebhookDispatcher));
    await eventually(async () => dispatchers.every((dispatcher) => dispatcher.isServing(hook.id)), 10_000);
    const stream = await openSse(`${system.baseUrl}/realms/roles/revocations`, { authorization: `Basic ${Buffer.from(`${key.apiKey}:${key.secret}`).toString('base64')}` });
    try {
      expect(stream.status).toBe(200);
      await stream.next((event) => event.event === 'snapshot');
      const jtis: string[] = [];
      for (let i = 0; i < 8; i++) {
        const minted = await http(system, 'POST', '/v1/access-tokens', { basic: key, body: { userId: `u${i}`, role: 'GUEST' } });
        await http(system, 'POST', '/v1/tokens/revoke', { basic: key, body: { token: minted.body.accessToken } });
        jtis.push(decodeJwt(minted.body.accessToken).jti as string);
      }
      await eventually(async () => new Set(received.map((r) => JSON.parse(r.body).jti)).size === jtis.length, 15_000, 50);
      for (const jti of jtis) await stream.next((e) => e.event === 'token.revoked' && JSON.parse(e.data).jti === jti);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(received.map((r) => JSON.parse(r.body).jti).sort()).toEqual([...jtis].sort());
      expect(received.every((r) => signatureHolds(hook.secret, r))).toBe(true);
      const outcomes = (await admin(system).call('GET', `/admin/tenants/roles/webhooks/${hook.id}/deliveries`)).body.items as any[];
      expect(outcomes.filter((d) => d.state === 'delivered').map((d) => d.id).sort()).toEqual(received.map((r) => r.headers['webhook-id']).sort());
    } finally {
      stream.close();
    }
  });
});
