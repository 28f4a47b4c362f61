import { errors, headers, type NatsConnection, type RequestOptions } from '@nats-io/transport-node';
import type { Namespace, RpcRoute } from '@roomkey/contracts';
import { UnavailableError, fromWireError, isWireError } from '@roomkey/errors';
import { REQUEST_ID_HEADER, currentRequestId } from './request-context';

const encoder = new TextEncoder();

/** A replica that went away mid-request, or none answering yet (one restarting). */
function isLostRequest(error: unknown): boolean {
  const cause = (error as { cause?: unknown }).cause;
  return [error, cause].some((e) => e instanceof errors.TimeoutError || e instanceof errors.NoRespondersError);
}

/** Before asking again when nobody answered at all: a replica may be restarting. */
const NO_RESPONDERS_PAUSE_MS = 100;

/**
 * Typed request-reply over NATS: every request has a timeout, and a failed reply becomes the same
 * typed error class the answering service threw.
 *
 * Routes marked `repeatable` (every mint: a second attempt mints another token, and the first never
 * reached anyone) get a short deadline per attempt and are asked again — the queue group hands the
 * retry to another replica — until the request's whole timeout is spent; so a replica that dies
 * mid-request costs its callers one attempt's wait, not a failure.
 */
export class RpcClient {
  constructor(
    private readonly connection: NatsConnection,
    private readonly defaultTimeoutMs: number,
    private readonly namespace: Namespace,
    private readonly attemptTimeoutMs = 1000,
  ) {}

  async request<Request, Result>(route: RpcRoute<Request, Result>, body: Request, timeoutMs = this.defaultTimeoutMs): Promise<Result> {
    const subject = this.namespace.subject(route.subject);
    const payload = encoder.encode(JSON.stringify(body));
    const deadline = Date.now() + timeoutMs;
    let reply: unknown;
    for (;;) {
      const remaining = deadline - Date.now();
      const attempt = route.repeatable ? Math.min(this.attemptTimeoutMs, remaining) : remaining;
      try {
        reply = (await this.connection.request(subject, payload, requestOptions(attempt))).json();
        break;
      } catch (error) {
        const left = deadline - Date.now();
        if (!route.repeatable || !isLostRequest(error) || left <= 0 || this.connection.isClosed()) throw this.unavailable(route, error);
        if (!(error instanceof errors.TimeoutError || (error as { cause?: unknown }).cause instanceof errors.TimeoutError)) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(NO_RESPONDERS_PAUSE_MS, left)));
          if (deadline - Date.now() <= 0) throw this.unavailable(route, error);
        }
      }
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
