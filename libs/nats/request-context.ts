/**
 * The request being handled, passed explicitly from where it enters a service to every call made
 * for it: the gateway makes one per HTTP request (its request-id hook), the NATS transport one per
 * incoming message (from the `X-Request-Id` and `Roomkey-Actor` headers), the issuer one per batch
 * item. Handlers receive it with `@InRequest()`; `RpcClient.request` sends it onward as headers, log
 * lines and events take what they need of it. Nothing reads it from an ambient store: on Node 20 an
 * AsyncLocalStorage installs promise hooks for every promise of the process (7–12 % of the server
 * CPU per token, bench/NOTES.md item 5).
 */
import { createParamDecorator, type ArgumentsHost, type ExecutionContext } from '@nestjs/common';
import type { LogContext } from '@roomkey/errors';
import type { TraceSpan } from './tracing';

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** Who makes an admin change (`bootstrap` or an admin key's id): set by the gateway, put on events. */
export const ACTOR_HEADER = 'Roomkey-Actor';
/**
 * How many more milliseconds the caller waits for the answer, sent with requests that are not safe
 * to repeat (relative, so clocks need not agree): work that finishes after it may give back what it
 * took, since the caller has already answered 503.
 */
export const TIMEOUT_HEADER = 'Roomkey-Timeout-Ms';
/** The longest wait a caller may announce (the longest configurable NATS timeout). */
const MAX_ANNOUNCED_TIMEOUT_MS = 120_000;

export interface RequestContext extends LogContext {
  /** The caller's (or the gateway's) request id; undefined when the caller sent none (a plain NATS client). */
  readonly requestId?: string;
  /** The service handling it (the log lines' `service`; several run in one process under test). */
  readonly service?: string;
  /** The admin caller, once the gateway has authorised one; travels with internal requests only. */
  readonly actor?: string;
  /** With tracing on: the span of the work being done, the parent of the RPCs made for it. */
  readonly span?: TraceSpan;
  /** When the caller stops waiting (this process's `Date.now()` clock); undefined: no one said. */
  readonly deadline?: number;
}

/** The deadline a `Roomkey-Timeout-Ms` header announces, counted from `receivedAt` (unusable: none). */
export function deadlineOf(announced: string | undefined, receivedAt: number): number | undefined {
  if (announced === undefined || !/^[0-9]{1,6}$/.test(announced)) return undefined;
  const ms = Number(announced);
  return ms >= 1 && ms <= MAX_ANNOUNCED_TIMEOUT_MS ? receivedAt + ms : undefined;
}

/** true once the request's caller has stopped waiting (never, without a deadline). */
export function callerGaveUp(context: RequestContext, now = Date.now()): boolean {
  return context.deadline !== undefined && now >= context.deadline;
}

/** Work no request asked for (start-up, timers, cache refreshes): no request id, no actor. */
export const NO_REQUEST: RequestContext = Object.freeze({});

/** A caller's id is kept when it is 1–128 visible ASCII characters (contract §4). */
const ACCEPTABLE_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

export function isAcceptableRequestId(value: unknown): value is string {
  return typeof value === 'string' && ACCEPTABLE_REQUEST_ID.test(value);
}

const ACCEPTABLE_ACTOR = /^[A-Za-z0-9_-]{1,64}$/;

/** An actor as it may travel: `bootstrap` or an admin key id. */
export function isAcceptableActor(value: unknown): value is string {
  return typeof value === 'string' && ACCEPTABLE_ACTOR.test(value);
}

const CONTEXT = Symbol('roomkey.requestContext');

/**
 * Attaches `context` to what carries a request through NestJS: the Fastify request (gateway) or the
 * NATS context handed to a message handler (transport). Replaces any context attached before.
 */
export function attachRequestContext(carrier: object, context: RequestContext): void {
  (carrier as Record<symbol, RequestContext>)[CONTEXT] = context;
}

/** The context attached to `carrier`, or NO_REQUEST when none was (a hand-built call, a test). */
export function requestContextOf(carrier: object | undefined): RequestContext {
  return (carrier as Record<symbol, RequestContext | undefined> | undefined)?.[CONTEXT] ?? NO_REQUEST;
}

/** The request context of a handler's call, HTTP (the gateway) or NATS (every service). */
export function requestContextOfHost(host: Pick<ArgumentsHost, 'getType' | 'switchToHttp' | 'switchToRpc'>): RequestContext {
  return requestContextOf(host.getType() === 'rpc' ? host.switchToRpc().getContext<object>() : host.switchToHttp().getRequest<object>());
}

/** Handler parameter: the `RequestContext` of the request being handled (HTTP or NATS). */
export const InRequest = createParamDecorator((_data: unknown, host: ExecutionContext): RequestContext => requestContextOfHost(host));
