import { createServer, type Server } from 'node:http';
import { RoomkeyVerifier } from '../src/verifier';

/** A stand-in gateway: an empty JWKS, and a revocation stream that sends its snapshot and hangs up at once. */
async function flakyGateway(): Promise<{ server: Server; url: string; streams: () => number; lastEventIds: (string | undefined)[] }> {
  let streams = 0;
  const lastEventIds: (string | undefined)[] = [];
  const server = createServer((request, response) => {
    if (request.url?.endsWith('/certs')) return void response.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
    streams++;
    lastEventIds.push(request.headers['last-event-id'] as string | undefined);
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.end(`id: ${streams}\nevent: snapshot\ndata: {"tenant":"acme","tokens":[],"users":[],"tenantIssuedBefore":null,"signingKeys":[],"apiKeys":[]}\n\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, streams: () => streams, lastEventIds };
}

describe('RoomkeyVerifier revocation stream reconnects', () => {
  it('backs off when the stream keeps ending at once (no tight loop), resuming with Last-Event-ID', async () => {
    const gateway = await flakyGateway();
    const verifier = new RoomkeyVerifier({ url: gateway.url, tenant: 'acme', apiKey: 'k', apiSecret: 's', reconnectDelayMs: { initial: 100, max: 400 } });
    try {
      await verifier.start();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      // Without back-off this would be hundreds; with 100 → 400 ms (jittered) about 6–12.
      expect(gateway.streams()).toBeGreaterThanOrEqual(3);
      expect(gateway.streams()).toBeLessThanOrEqual(25);
      expect(gateway.lastEventIds[0]).toBeUndefined();
      expect(gateway.lastEventIds[1]).toBe('1');
    } finally {
      verifier.close();
      await new Promise((resolve) => gateway.server.close(resolve));
    }
  });
});
