import { errors, type NatsConnection } from '@nats-io/transport-node';
import type { Namespace, RpcRoute } from '@roomkey/contracts';
import { UnavailableError, fromWireError, isWireError } from '@roomkey/errors';

const encoder = new TextEncoder();

/**
 * Typed request-reply over NATS: every request has a timeout, and a failed reply becomes the same
 * typed error class the answering service threw.
 */
export class RpcClient {
  constructor(
    private readonly connection: NatsConnection,
    private readonly defaultTimeoutMs: number,
    private readonly namespace: Namespace,
  ) {}

  async request<Request, Result>(route: RpcRoute<Request, Result>, body: Request, timeoutMs = this.defaultTimeoutMs): Promise<Result> {
    let reply: unknown;
    try {
      const message = await this.connection.request(this.namespace.subject(route.subject), encoder.encode(JSON.stringify(body)), { timeout: timeoutMs });
      reply = message.json();
    } catch (error) {
      throw this.unavailable(route, error);
    }
    if (isWireError(reply)) throw fromWireError(reply);
    if (typeof reply !== 'object' || reply === null || (reply as { ok?: unknown }).ok !== true) {
      throw new UnavailableError(`The ${route.service} service gave a reply roomkey does not understand`);
    }
    const { ok: _ok, ...result } = reply as Record<string, unknown>;
    return result as Result;
  }

  private unavailable(route: RpcRoute<unknown, unknown>, error: unknown): UnavailableError {
    const cause = (error as { cause?: unknown }).cause;
    if (error instanceof errors.NoRespondersError || cause instanceof errors.NoRespondersError) {
      return new UnavailableError(`The ${route.service} service is not running (no replica answers on NATS)`);
    }
    if (error instanceof errors.TimeoutError || cause instanceof errors.TimeoutError) {
      return new UnavailableError(`The ${route.service} service did not answer in time`);
    }
    return new UnavailableError(`The ${route.service} service cannot be reached over NATS`);
  }
}
