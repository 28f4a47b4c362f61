import { errors, headers, type NatsConnection, type RequestOptions } from '@nats-io/transport-node';
import type { Namespace, RpcRoute } from '@roomkey/contracts';
import { UnavailableError, fromWireError, isWireError } from '@roomkey/errors';
import { REQUEST_ID_HEADER, currentRequestId } from './request-context';

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
      const message = await this.connection.request(this.namespace.subject(route.subject), encoder.encode(JSON.stringify(body)), requestOptions(timeoutMs));
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

/** The request id of the request being handled travels on as a header (none outside a request). */
function requestOptions(timeout: number): RequestOptions {
  const requestId = currentRequestId();
  if (requestId === undefined) return { timeout };
  const requestHeaders = headers();
  requestHeaders.set(REQUEST_ID_HEADER, requestId);
  return { timeout, headers: requestHeaders };
}
