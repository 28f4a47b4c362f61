/**
 * The request being handled, carried through async calls: the gateway sets it per HTTP request,
 * the NATS transport per incoming message, and every outgoing RPC sends its id onward as a header.
 */
import { readLogContextFrom } from '@roomkey/errors';
import { AsyncLocalStorage } from 'node:async_hooks';

export const REQUEST_ID_HEADER = 'X-Request-Id';

export interface RequestContext {
  readonly requestId: string;
  /** The service handling it (the log lines' `service`; several run in one process under test). */
  readonly service?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** A caller's id is kept when it is 1–128 visible ASCII characters (contract §4). */
const ACCEPTABLE_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

export function isAcceptableRequestId(value: unknown): value is string {
  return typeof value === 'string' && ACCEPTABLE_REQUEST_ID.test(value);
}

/** Runs `fn(...args)` with `context` as the current request (args avoid a closure per call). */
export function runInRequestContext<Args extends unknown[], Result>(context: RequestContext, fn: (...args: Args) => Result, ...args: Args): Result {
  // A context inside another (a batch item in its batch's message) keeps the service it runs in.
  const outer = context.service === undefined ? storage.getStore() : undefined;
  return storage.run(outer?.service === undefined ? context : { ...context, service: outer.service }, fn, ...args);
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

readLogContextFrom(() => storage.getStore());
