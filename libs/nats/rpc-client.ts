import { errors, headers, type NatsConnection, type RequestOptions } from '@nats-io/transport-node';
import { IssuerBatchRoute, type Namespace, type RpcRoute } from '@roomkey/contracts';
import { UnavailableError, fromWireError, isWireError } from '@roomkey/errors';
import { ServiceMetrics } from './metrics';
import { ACTOR_HEADER, REQUEST_ID_HEADER, TIMEOUT_HEADER, type RequestContext } from './request-context';
import { recordFailure, TRACEPARENT_HEADER, TRACESTATE_HEADER, type TraceSpan } from './tracing';

const encoder = new TextEncoder();

/** A replica that went away mid-request, or none answering yet (one restarting). */
function isLostRequest(error: unknown): boolean {
  const cause = (error as { cause?: unknown }).cause;
  return [error, cause].some((e) => e instanceof errors.TimeoutError || e instanceof errors.NoRespondersError);
}

function isNoResponders(error: unknown): boolean {
  return error instanceof errors.NoRespondersError || (error as { cause?: unknown }).cause instanceof errors.NoRespondersError;
}

/** Before asking again when nobody answered at all: a replica may be restarting. */
const NO_RESPONDERS_PAUSE_MS = 100;

/** How RpcClient coalesces mints (see `RpcClient`). */
export interface BatchingOptions {
  /** Off: every mint is its own message. Default on; ROOMKEY_RPC_BATCHING=0 turns it off (for measuring). */
  enabled: boolean;
  /** A batch leaves at this many items even while another is in flight. */
  maxItems: number;
}

export function defaultBatching(env: NodeJS.ProcessEnv = process.env): BatchingOptions {
  const size = Number(env.ROOMKEY_RPC_BATCH_SIZE);
  return {
    enabled: env.ROOMKEY_RPC_BATCHING !== '0',
    maxItems: Number.isInteger(size) && size >= 1 ? Math.min(size, IssuerBatchRoute.maxItems) : 16,
  };
}

/** One mint waiting for (or travelling in) a batch. */
interface Pending {
  route: RpcRoute<unknown, unknown>;
  body: unknown;
  /** The caller's request (for the single path, when the batch is refused). */
  context: RequestContext;
  /** `{"subject":…,"requestId":…,"body":…}`, serialized once. */
  json: string;
  deadline: number;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
  /** With tracing on: the mint's client span (its `traceparent` travels in `json`). */
  span?: TraceSpan;
}

const BATCHED_SUBJECTS: ReadonlySet<string> = new Set(IssuerBatchRoute.subjects);

/**
 * Typed request-reply over NATS: every request has a timeout, and a failed reply becomes the same
 * typed error class the answering service threw.
 *
 * Routes marked `repeatable` (every mint: a second attempt mints another token, and the first never
 * reached anyone) get a short deadline per attempt and are asked again — the queue group hands the
 * retry to another replica — until the request's whole timeout is spent; so a replica that dies
 * mid-request costs its callers one attempt's wait, not a failure.
 *
 * Mints (the repeatable routes in `IssuerBatchRoute.subjects`) are coalesced, group-commit style,
 * into one message on `IssuerBatchRoute`: a mint leaves at once when no batch is in flight;
 * otherwise it waits for the batch in flight to come back (or for `maxItems` others) and leaves
 * with them. No timer: an idle system sends every mint alone, without delay. The issuer answers
 * each item as its own subject would (one failing item fails only its caller), batches go to any
 * replica of the queue group, a lost batch is asked again like a lost mint (each item within its
 * own deadline), and each item carries its caller's request id.
 *
 * Every request names the request it is made for (`context`, required: there is no ambient one):
 * its id travels as `X-Request-Id` (in a batch: in the item), its admin actor as `Roomkey-Actor`,
 * and with tracing on its span is the parent of the request's client span. `NO_REQUEST` for work
 * no request asked for.
 */
export class RpcClient {
  private readonly batching: BatchingOptions;
  private queued: Pending[] = [];
  private batchesInFlight = 0;

  constructor(
    private readonly connection: NatsConnection,
    private readonly defaultTimeoutMs: number,
    private readonly namespace: Namespace,
    private readonly attemptTimeoutMs = 1000,
    batching: Partial<BatchingOptions> = {},
  ) {
    this.batching = { ...defaultBatching(), ...batching };
    this.batchSubject = namespace.subject(IssuerBatchRoute.subject);
  }

  private readonly batchSubject: string;

  request<Request, Result>(route: RpcRoute<Request, Result>, body: Request, context: RequestContext, timeoutMs = this.defaultTimeoutMs): Promise<Result> {
    // A request made for one whose caller has a deadline waits no longer than that caller.
    if (context.deadline !== undefined) {
      const left = context.deadline - Date.now();
      if (left <= 0) return Promise.reject(new UnavailableError(`The ${route.service} service was not asked: the request's caller stopped waiting`));
      timeoutMs = Math.min(timeoutMs, left);
    }
    const started = performance.now();
    const parent = context.span;
    const answer =
      parent !== undefined
        ? this.traced(parent, route, body, context, timeoutMs)
        : this.batched(route)
          ? (this.enqueue(route as RpcRoute<unknown, unknown>, body, context, timeoutMs) as Promise<Result>)
          : this.single(route, body, context, timeoutMs);
    // Latency per subject (retries and batching included), into the owning service's metrics.
    const latency = (this.metrics ??= ServiceMetrics.of(this.connection))?.natsRequestLatency(route.subject);
    if (latency === undefined) return answer;
    const observe = () => latency.observe((performance.now() - started) / 1000);
    answer.then(observe, observe);
    return answer;
  }

  private metrics: ServiceMetrics | undefined;

  private batched(route: RpcRoute<unknown, unknown>): boolean {
    return this.batching.enabled && route.repeatable === true && BATCHED_SUBJECTS.has(route.subject);
  }

  /**
   * With tracing on (a span is current): the request in a client span, child of the current one,
   * whose W3C `traceparent`/`tracestate` travel as NATS headers (a batched mint: in its batch item).
   */
  private traced<Request, Result>(parent: TraceSpan, route: RpcRoute<Request, Result>, body: Request, context: RequestContext, timeoutMs: number): Promise<Result> {
    const subject = this.namespace.subject(route.subject);
    const batched = this.batched(route as RpcRoute<unknown, unknown>);
    const span = parent.tracing.startSpan(subject, 'client', parent, {
      'messaging.system': 'nats',
      'messaging.operation.type': 'send',
      'messaging.destination.name': subject,
      'roomkey.batched': batched,
    });
    const result = batched
      ? (this.enqueue(route as RpcRoute<unknown, unknown>, body, context, timeoutMs, span) as Promise<Result>)
      : this.single(route, body, context, timeoutMs, span);
    return result.then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        recordFailure(span, String((error as { code?: unknown }).code ?? 'internal_error'));
        span.end();
        throw error;
      },
    );
  }

  private async single<Request, Result>(route: RpcRoute<Request, Result>, body: Request, context: RequestContext, timeoutMs: number, span?: TraceSpan): Promise<Result> {
    const subject = this.namespace.subject(route.subject);
    const payload = encoder.encode(JSON.stringify(body));
    const deadline = Date.now() + timeoutMs;
    let reply: unknown;
    for (;;) {
      const remaining = deadline - Date.now();
      const attempt = route.repeatable ? Math.min(this.attemptTimeoutMs, remaining) : remaining;
      try {
        // Not safe to repeat: the answering service learns how long this caller still waits.
        const announced = route.repeatable ? undefined : deadline - Date.now();
        reply = (await this.connection.request(subject, payload, requestOptions(attempt, context, span, announced))).json();
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
    return resultOf(route, reply) as Result;
  }

  private enqueue(route: RpcRoute<unknown, unknown>, body: unknown, context: RequestContext, timeoutMs: number, span?: TraceSpan): Promise<unknown> {
    const { requestId } = context;
    const trace = span === undefined ? '' : `${JSON.stringify(span.headers()).slice(1, -1)},`;
    const json = `{"subject":${JSON.stringify(route.subject)},${requestId === undefined ? '' : `"requestId":${JSON.stringify(requestId)},`}${trace}"body":${JSON.stringify(body)}}`;
    return new Promise((resolve, reject) => {
      this.queued.push({ route, body, context, json, deadline: Date.now() + timeoutMs, resolve, reject, span });
      if (this.batchesInFlight === 0 || this.queued.length >= this.batching.maxItems) this.flush();
    });
  }

  /** Sends what is queued as one batch (a lone mint as a batch of one: the same path, no timer). */
  private flush(): void {
    while (this.queued.length > 0) {
      const items = this.queued.splice(0, this.batching.maxItems);
      this.batchesInFlight++;
      void this.sendBatch(items).finally(() => {
        this.batchesInFlight--;
        if (this.queued.length > 0 && (this.batchesInFlight === 0 || this.queued.length >= this.batching.maxItems)) this.flush();
      });
      if (this.queued.length < this.batching.maxItems) break;
    }
  }

  private async sendBatch(queued: Pending[]): Promise<void> {
    const now = Date.now();
    // A mint whose time ran out while waiting to be asked again is not sent (nor shortens the batch's wait).
    const items = queued.filter((item) => item.deadline > now || (item.reject(new UnavailableError(`The ${item.route.service} service did not answer in time`)), false));
    if (items.length === 0) return;
    const attempt = Math.max(1, Math.min(this.attemptTimeoutMs, ...items.map((item) => item.deadline - now)));
    let replies: unknown;
    try {
      const payload = encoder.encode(`{"items":[${items.map((item) => item.json).join(',')}]}`);
      replies = (await this.connection.request(this.batchSubject, payload, { timeout: attempt })).json();
    } catch (error) {
      if (isNoResponders(error) && !this.connection.isClosed()) {
        // No issuer takes batches (none running yet, or all of an older version): each alone, with
        // the single path's own waiting for a replica.
        for (const item of items) this.single(item.route, item.body, item.context, Math.max(1, item.deadline - Date.now()), item.span).then(item.resolve, item.reject);
        return;
      }
      const retry: Pending[] = [];
      for (const item of items) {
        if (isLostRequest(error) && item.deadline - Date.now() > 0 && !this.connection.isClosed()) retry.push(item);
        else item.reject(this.unavailable(item.route, error));
      }
      // Asked again: the queue group hands the next batch to any replica (the lost one is gone).
      if (retry.length > 0) {
        this.queued.unshift(...retry);
      }
      return;
    }
    const answers = (replies as { ok?: unknown; items?: unknown }).items;
    if ((replies as { ok?: unknown }).ok !== true || !Array.isArray(answers) || answers.length !== items.length) {
      // The batch as a whole was refused (not one item of it ran): each alone, as without batching.
      for (const item of items) this.single(item.route, item.body, item.context, Math.max(1, item.deadline - Date.now()), item.span).then(item.resolve, item.reject);
      return;
    }
    for (let i = 0; i < items.length; i++) {
      try {
        items[i].resolve(resultOf(items[i].route, answers[i]));
      } catch (error) {
        items[i].reject(error);
      }
    }
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

/** A reply's result: the typed error it carries is thrown; `{ok: true, …}` loses its `ok`. */
function resultOf(route: RpcRoute<unknown, unknown>, reply: unknown): unknown {
  if (isWireError(reply)) throw fromWireError(reply);
  if (typeof reply !== 'object' || reply === null || (reply as { ok?: unknown }).ok !== true) {
    throw new UnavailableError(`The ${route.service} service gave a reply roomkey does not understand`);
  }
  const { ok: _ok, ...result } = reply as Record<string, unknown>;
  return result;
}

/**
 * The request id of the request being handled travels on as a header (none outside a request), and
 * with tracing on the request's client span as W3C Trace Context.
 */
function requestOptions(timeout: number, context: RequestContext, span?: TraceSpan, announcedTimeoutMs?: number): RequestOptions {
  const { requestId, actor } = context;
  if (requestId === undefined && actor === undefined && announcedTimeoutMs === undefined) return span === undefined ? { timeout } : { timeout, headers: traceHeaders(span) };
  const requestHeaders = headers();
  if (announcedTimeoutMs !== undefined) requestHeaders.set(TIMEOUT_HEADER, String(Math.max(1, Math.round(announcedTimeoutMs))));
  if (requestId !== undefined) requestHeaders.set(REQUEST_ID_HEADER, requestId);
  // The admin caller, so the answering service can name it on the events of the change.
  if (actor !== undefined) requestHeaders.set(ACTOR_HEADER, actor);
  if (span !== undefined) traceHeaders(span, requestHeaders);
  return { timeout, headers: requestHeaders };
}

function traceHeaders(span: TraceSpan, into = headers()): ReturnType<typeof headers> {
  const { traceparent, tracestate } = span.headers();
  into.set(TRACEPARENT_HEADER, traceparent!);
  if (tracestate !== undefined) into.set(TRACESTATE_HEADER, tracestate);
  return into;
}
