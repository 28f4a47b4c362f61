/**
 * Standard Webhooks signature check (contract §4): `webhook-signature: v1,<base64 HMAC-SHA256 of
 * "{webhook-id}.{webhook-timestamp}.{body}">`, the key being the secret after `whsec_`, base64-
 * decoded; several space-separated signatures (during a secret rotation) are accepted; the
 * timestamp must be within ± 5 minutes; signatures are compared in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { webhookSignature, webhookSigningKey } from '../../../libs/crypto/webhook-signature';
import { RoomkeyError } from './errors';

/** Fetch `Headers`, Node's `IncomingHttpHeaders`, or a plain record (names in any case). */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface WebhookVerifyOptions {
  /** Allowed clock difference, default 300 s. */
  toleranceSeconds?: number;
  /** Current time in milliseconds (tests). */
  now?: () => number;
}

export const INVALID_SIGNATURE = 'invalid_signature';

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(' ') : value;
  }
  return undefined;
}

function refuse(message: string): never {
  throw new RoomkeyError(INVALID_SIGNATURE, message, 400);
}

/** The delivered event (the JSON body) when the signature and timestamp hold; throws RoomkeyError `invalid_signature` otherwise. */
export function verifyWebhook<E = Record<string, unknown>>(body: string | Uint8Array, headers: WebhookHeaders, secret: string, options: WebhookVerifyOptions = {}): E {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) refuse('webhook-id, webhook-timestamp and webhook-signature headers are required');
  if (!/^\d{1,15}$/.test(timestamp)) refuse('webhook-timestamp is not a number of seconds');
  const nowSeconds = Math.floor((options.now ?? Date.now)() / 1000);
  const tolerance = options.toleranceSeconds ?? 300;
  if (Math.abs(nowSeconds - Number(timestamp)) > tolerance) refuse(`webhook-timestamp is more than ${tolerance} s away from now`);
  if (typeof secret !== 'string' || secret.length === 0) throw new TypeError('verifyWebhook: the endpoint secret is required');
  const key = webhookSigningKey(secret);
  const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(payload).digest();
  let matched = false;
  for (const candidate of signatures.split(' ')) {
    const comma = candidate.indexOf(',');
    if (comma < 0 || candidate.slice(0, comma) !== 'v1') continue;
    const given = Buffer.from(candidate.slice(comma + 1), 'base64');
    // Every candidate is compared (no early exit), each in constant time.
    if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
  }
  if (!matched) refuse('no webhook-signature matches the body');
  try {
    return JSON.parse(payload.toString('utf8')) as E;
  } catch {
    return refuse('the webhook body is not JSON');
  }
}

/** Signs a delivery as roomkey does (for tests and for relaying): the `webhook-*` headers. */
export function signWebhook(body: string, secret: string, id: string, timestampSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': webhookSignature(secret, id, timestampSeconds, body) };
}
