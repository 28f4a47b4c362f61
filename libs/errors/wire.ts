import {
  AccessDeniedError,
  ConflictError,
  ForbiddenError,
  GoneError,
  InternalError,
  InvalidClientError,
  InvalidGrantError,
  InvalidRequestError,
  InvalidScopeError,
  InvalidTargetError,
  InvalidTokenError,
  NotFoundError,
  OAuthInvalidRequestError,
  PayloadTooLargeError,
  RateLimitedError,
  RoomkeyError,
  UnauthorizedClientError,
  UnauthorizedError,
  UnavailableError,
  UnsupportedGrantTypeError,
} from './errors';

/** A failed reply on NATS (contract §5): `{ok: false, error, message}` plus optional hints. */
export interface WireError {
  ok: false;
  error: string;
  message: string;
  retryAfter?: number;
  field?: string;
  /** Set when the error belongs to the OAuth family (RFC 6749 §5.2 answer shape over HTTP). */
  oauth?: true;
}

const INTERNAL_MESSAGE = 'Internal error';

/** Any thrown value → a RoomkeyError (unknown errors become a non-exposed InternalError). */
/** Errors of the NATS client (named, not imported: libs/errors stays free of a NATS dependency). */
const MESSAGE_PLANE_ERRORS = new Set([
  'JetStreamNotEnabled',
  'JetStreamApiError',
  'JetStreamError',
  'JetStreamStatusError',
  'TimeoutError',
  'NoRespondersError',
  'RequestError',
  'ClosedConnectionError',
  'ConnectionError',
  'DrainingConnectionError',
]);

function isMessagePlaneFailure(error: unknown): error is Error {
  return error instanceof Error && MESSAGE_PLANE_ERRORS.has(error.name);
}

export function asRoomkeyError(error: unknown): RoomkeyError {
  if (error instanceof RoomkeyError) return error;
  if (isMessagePlaneFailure(error)) {
    // A NATS node or JetStream leader away (a restart, an election): the request may be repeated.
    return new UnavailableError('The message plane (NATS JetStream) is not available right now; try again shortly', { detail: `${error.name}: ${error.message}` });
  }
  const wrapped = new InternalError(error instanceof Error ? error.message : String(error));
  if (error instanceof Error) wrapped.stack = error.stack;
  return wrapped;
}

/** The one mapping from an error to the wire. Internal messages and `detail` are never exposed. */
export function toWireError(error: unknown): WireError {
  const known = asRoomkeyError(error);
  const wire: WireError = {
    ok: false,
    error: known.code,
    message: known.expose ? known.message : INTERNAL_MESSAGE,
  };
  if (known.details.retryAfterSeconds !== undefined) wire.retryAfter = known.details.retryAfterSeconds;
  if (known.details.field !== undefined) wire.field = known.details.field;
  if (known.oauth) wire.oauth = true;
  return wire;
}

type Rebuild = (message: string, wire: WireError) => RoomkeyError;

const PLAIN: Record<string, Rebuild> = {
  invalid_request: (m, w) => new InvalidRequestError(m, w.field),
  unauthorized: (m) => new UnauthorizedError(m),
  invalid_token: () => new InvalidTokenError(),
  forbidden: (m) => new ForbiddenError(m),
  not_found: (m) => new NotFoundError(m),
  conflict: (m) => new ConflictError(m),
  gone: (m) => new GoneError(m),
  payload_too_large: (m) => new PayloadTooLargeError(m),
  rate_limited: (m, w) => new RateLimitedError(m, w.retryAfter ?? 1),
  unavailable: (m) => new UnavailableError(m),
  internal_error: (m) => new InternalError(m),
};

const OAUTH: Record<string, Rebuild> = {
  invalid_request: (m) => new OAuthInvalidRequestError(m),
  invalid_client: (m) => new InvalidClientError(m),
  invalid_grant: (m) => new InvalidGrantError(m),
  unauthorized_client: (m) => new UnauthorizedClientError(m),
  unsupported_grant_type: (m) => new UnsupportedGrantTypeError(m),
  invalid_scope: (m) => new InvalidScopeError(m),
  invalid_target: (m) => new InvalidTargetError(m),
  access_denied: (m) => new AccessDeniedError(m),
  rate_limited: (m, w) => new RateLimitedError(m, w.retryAfter ?? 1),
};

/** The reverse mapping, used by every NATS caller: a wire error becomes the same typed class. */
export function fromWireError(wire: WireError): RoomkeyError {
  const table = wire.oauth ? OAUTH : PLAIN;
  const rebuild = table[wire.error] ?? PLAIN[wire.error];
  const message = typeof wire.message === 'string' ? wire.message : INTERNAL_MESSAGE;
  const error = rebuild ? rebuild(message, wire) : new InternalError(`${wire.error}: ${message}`);
  error.details.relayed = true;
  return error;
}

export function isWireError(value: unknown): value is WireError {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}
