/**
 * The request being handled, carried through async calls: the gateway sets it per HTTP request,
 * the NATS transport per incoming message, and every outgoing RPC sends its id onward as a header.
 */
import { readLogContextFrom } from '@roomkey/errors';
import { AsyncLocalStorage } from 'node:async_hooks';

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** Who makes an admin change (`bootstrap` or an admin key's id): set by the gateway, put on events. */
export const ACTOR_HEADER = 'Roomkey-Actor';

export interface RequestContext {
  readonly requestId: string;
  /** The service handling it (the log lines' `service`; several run in one process under test). */
  readonly service?: string;
  /** Set once the gateway has authorised an admin caller; travels with internal requests only. */
  actor?: string;
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

/** The admin caller of the request being handled, if any. */
export function currentActor(): string | undefined {
  return storage.getStore()?.actor;
}

/** Names the request's admin caller (the gateway's admin guard); outside a request it does nothing. */
export function setCurrentActor(actor: string): void {
  const context = storage.getStore();
  if (context) context.actor = actor;
}

/** An actor as it may travel: `bootstrap` or an admin key id. */
export function isAcceptableActor(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value);
}

readLogContextFrom(() => storage.getStore());
