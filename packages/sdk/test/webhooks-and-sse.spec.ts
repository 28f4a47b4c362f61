import { randomBytes } from 'node:crypto';
import { signWebhook, verifyWebhook } from '../src/webhooks';
import { SseParser, type ServerSentEvent } from '../src/sse';
import { RoomkeyError } from '../src/errors';

const secret = `whsec_${randomBytes(24).toString('base64')}`;
const body = JSON.stringify({ id: 'evt_1', type: 'token.revoked', tenant: 'acme', jti: 'j1' });

describe('verifyWebhook', () => {
  it('accepts a delivery signed per Standard Webhooks and returns the event', () => {
    const headers = signWebhook(body, secret, 'msg_1');
    expect(verifyWebhook(body, headers, secret)).toEqual(JSON.parse(body));
    expect(verifyWebhook(Buffer.from(body), new Headers(headers), secret)).toMatchObject({ jti: 'j1' });
    // Header names in any case, as Node gives them lower-cased and others may not.
    expect(verifyWebhook(body, { 'Webhook-Id': headers['webhook-id'], 'WEBHOOK-TIMESTAMP': headers['webhook-timestamp'], 'webhook-signature': headers['webhook-signature'] }, secret)).toBeTruthy();
  });

  it('accepts any one of several space-separated signatures (secret rotation)', () => {
    const other = `whsec_${randomBytes(24).toString('base64')}`;
    const headers = signWebhook(body, secret, 'msg_2');
    const old = signWebhook(body, other, 'msg_2', Number(headers['webhook-timestamp']));
    headers['webhook-signature'] = `${old['webhook-signature']} v2,abc ${headers['webhook-signature']}`;
    expect(verifyWebhook(body, headers, secret)).toMatchObject({ type: 'token.revoked' });
  });

  it('refuses a changed body, a wrong secret, a missing header, another id', () => {
    const headers = signWebhook(body, secret, 'msg_3');
    const refused = (fn: () => unknown) => {
      expect(fn).toThrow(RoomkeyError);
      try {
        fn();
      } catch (error) {
        expect((error as RoomkeyError).code).toBe('invalid_signature');
      }
    };
    refused(() => verifyWebhook(body.replace('j1', 'j2'), headers, secret));
    refused(() => verifyWebhook(body, headers, `whsec_${randomBytes(24).toString('base64')}`));
    refused(() => verifyWebhook(body, { ...headers, 'webhook-id': 'msg_4' }, secret));
    refused(() => verifyWebhook(body, { ...headers, 'webhook-signature': undefined }, secret));
    refused(() => verifyWebhook(body, { ...headers, 'webhook-signature': 'v1,' }, secret));
  });

  it('enforces the ± 5 minute tolerance', () => {
    const now = Date.now();
    const at = (offsetSeconds: number) => signWebhook(body, secret, 'msg_5', Math.floor(now / 1000) + offsetSeconds);
    expect(verifyWebhook(body, at(-299), secret, { now: () => now })).toBeTruthy();
    expect(verifyWebhook(body, at(299), secret, { now: () => now })).toBeTruthy();
    expect(() => verifyWebhook(body, at(-301), secret, { now: () => now })).toThrow(/300 s/);
    expect(() => verifyWebhook(body, at(301), secret, { now: () => now })).toThrow(/300 s/);
  });
});

describe('SseParser', () => {
  it('parses events split anywhere, ids, multi-line data, comments and CRLF', () => {
    const events: ServerSentEvent[] = [];
    let comments = 0;
    const parser = new SseParser((e) => events.push(e), () => comments++);
    const stream = ': hello\r\nevent: snapshot\r\nid: 1\r\ndata: {"a":\r\ndata: 1}\r\n\r\nevent: token.revoked\nid: 2\ndata: {"jti":"x"}\n\n: ping\n\ndata: plain\n\n';
    for (const char of stream) parser.push(char);
    expect(events).toEqual([
      { event: 'snapshot', data: '{"a":\n1}', id: '1' },
      { event: 'token.revoked', data: '{"jti":"x"}', id: '2' },
      { event: 'message', data: 'plain', id: '2' },
    ]);
    expect(comments).toBe(2);
    expect(parser.lastEventId).toBe('2');
  });
});
