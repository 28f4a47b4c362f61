/**
 * The NATS side of RoomkeyClient and RoomkeyVerifier: the caller's connection (NATS.js v3, the
 * *client* role), described structurally so the SDK never imports the NATS client itself.
 */
import { fromWireError, type WireError } from '../../../libs/errors/wire';
import { RoomkeyError, UNAVAILABLE } from './errors';

export interface NatsMessageLike {
  readonly data: Uint8Array;
  string(): string;
}

/** What the SDK uses of a `NatsConnection` from `@nats-io/transport-node` (`connect()`). */
export interface NatsConnectionLike {
  request(subject: string, payload?: string | Uint8Array, options?: { timeout: number }): Promise<NatsMessageLike>;
  subscribe(subject: string, options?: { callback?: (error: Error | null, message: NatsMessageLike) => void }): { unsubscribe(): void };
  flush(): Promise<void>;
  status(): AsyncIterable<{ type: string }>;
  isClosed(): boolean;
}

export const DEFAULT_NAMESPACE = 'roomkey';
const NAMESPACE_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

/** The four subjects the client role may request (contract §5.1). */
export const PUBLIC_SUBJECTS = {
  createToken: 'v1.tokens.create',
  verifyToken: 'v1.tokens.verify',
  createGuest: 'v1.guests.create',
  createAnonymous: 'v1.anonymous.create',
} as const;

export function checkNamespace(namespace: string): string {
  if (!NAMESPACE_PATTERN.test(namespace)) throw new RoomkeyError('invalid_request', `namespace must match ${NAMESPACE_PATTERN.source}`, 400);
  return namespace;
}

export class NatsTransport {
  constructor(
    private readonly connection: NatsConnectionLike,
    private readonly namespace: string,
    private readonly timeoutMs: number,
  ) {}

  /** Sends `{ns}.{subject}` with a plain JSON body; the `{ok: true, …}` reply without `ok`, or throws RoomkeyError. */
  async request<T>(subject: (typeof PUBLIC_SUBJECTS)[keyof typeof PUBLIC_SUBJECTS], body: Record<string, unknown>): Promise<T> {
    let reply: NatsMessageLike;
    try {
      reply = await this.connection.request(`${this.namespace}.${subject}`, JSON.stringify(body), { timeout: this.timeoutMs });
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      const text = error instanceof Error ? error.message : String(error);
      throw new RoomkeyError(UNAVAILABLE, `No answer from roomkey on NATS (${this.namespace}.${subject}): ${name ? `${name}: ` : ''}${text}`, 503, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(reply.string());
    } catch {
      throw new RoomkeyError('internal_error', `roomkey answered ${this.namespace}.${subject} with something that is not JSON`, 500);
    }
    const answer = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
    if (answer.ok === false) {
      // The services' own reverse mapping tells which HTTP status this code has.
      const wire = answer as unknown as WireError;
      const typed = fromWireError(wire);
      return Promise.reject(
        new RoomkeyError(String(wire.error), typeof wire.message === 'string' ? wire.message : typed.message, typed.status, {
          ...(typeof wire.retryAfter === 'number' ? { retryAfterSeconds: wire.retryAfter } : {}),
          ...(typeof wire.field === 'string' ? { field: wire.field } : {}),
        }),
      );
    }
    const { ok: _ok, ...result } = answer;
    return result as T;
  }
}
