/**
 * Typed errors shared by every service. Each class carries its wire code, HTTP status and whether
 * its message may be shown to the caller; `wire.ts` is the one place that turns them into the
 * wire shape and back (gateway ⇄ NATS ⇄ services).
 */
export interface ErrorDetails {
  /**
   * What an operator needs to know and the caller must not (why a token failed, which record was
   * missing): logged, never on the wire (like oidc-provider's `error_detail`, fosite's `Debug`).
   */
  detail?: string;
  /** Rebuilt from another service's wire reply: that service has logged it already. */
  relayed?: boolean;
  /** Seconds until a rate-limited caller may try again (HTTP `Retry-After`). */
  retryAfterSeconds?: number;
  /** The request field a validation error is about. */
  field?: string;
  /** HTTP `WWW-Authenticate` challenge for a 401 (gateway only; not sent over NATS). */
  challenge?: string;
}

export abstract class RoomkeyError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  /** False for internal failures whose message must never reach a caller. */
  readonly expose: boolean = true;
  /** OAuth endpoints answer RFC 6749 §5.2 bodies; the rest answer `{error, message}`. */
  readonly oauth: boolean = false;

  constructor(
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = new.target.name;
  }

  get detail(): string | undefined {
    return this.details.detail;
  }
}

export class InvalidRequestError extends RoomkeyError {
  readonly code = 'invalid_request';
  readonly status = 400;
  constructor(message: string, field?: string, details: ErrorDetails = {}) {
    super(message, field ? { ...details, field } : details);
  }
}

export class UnauthorizedError extends RoomkeyError {
  readonly code = 'unauthorized';
  readonly status = 401;
}

export const INVALID_TOKEN_MESSAGE = 'Token is invalid or expired';

export class InvalidTokenError extends RoomkeyError {
  readonly code = 'invalid_token';
  readonly status = 401;
  /** The message is fixed by the contract so that no verifier leaks why a token failed; the reason is the detail. */
  constructor(reason?: string) {
    super(INVALID_TOKEN_MESSAGE, reason ? { detail: reason } : {});
  }
}

export class ForbiddenError extends RoomkeyError {
  readonly code = 'forbidden';
  readonly status = 403;
}

export class NotFoundError extends RoomkeyError {
  readonly code = 'not_found';
  readonly status = 404;
}

export class ConflictError extends RoomkeyError {
  readonly code = 'conflict';
  readonly status = 409;
}

export class GoneError extends RoomkeyError {
  readonly code = 'gone';
  readonly status = 410;
}

export class PayloadTooLargeError extends RoomkeyError {
  readonly code = 'payload_too_large';
  readonly status = 413;
}

export class RateLimitedError extends RoomkeyError {
  readonly code = 'rate_limited';
  readonly status = 429;
  constructor(message: string, retryAfterSeconds: number, details: ErrorDetails = {}) {
    super(message, { ...details, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) });
  }
}

export class UnavailableError extends RoomkeyError {
  readonly code = 'unavailable';
  readonly status = 503;
}

export class InternalError extends RoomkeyError {
  readonly code = 'internal_error';
  readonly status = 500;
  override readonly expose = false;
}

/** RFC 6749 §5.2 errors, answered by the OAuth endpoints as `{error, error_description}`. */
export abstract class OAuthError extends RoomkeyError {
  override readonly oauth = true;
}

export class InvalidClientError extends OAuthError {
  readonly code = 'invalid_client';
  readonly status = 401;
}

export class InvalidGrantError extends OAuthError {
  readonly code = 'invalid_grant';
  readonly status = 400;
}

export class UnauthorizedClientError extends OAuthError {
  readonly code = 'unauthorized_client';
  readonly status = 400;
}

export class UnsupportedGrantTypeError extends OAuthError {
  readonly code = 'unsupported_grant_type';
  readonly status = 400;
}

export class InvalidScopeError extends OAuthError {
  readonly code = 'invalid_scope';
  readonly status = 400;
}

/** RFC 8707 / RFC 8693 §2.2.2: a `resource` (or `audience`) the request may not have. */
export class InvalidTargetError extends OAuthError {
  readonly code = 'invalid_target';
  readonly status = 400;
}

export class OAuthInvalidRequestError extends OAuthError {
  readonly code = 'invalid_request';
  readonly status = 400;
}

export class AccessDeniedError extends OAuthError {
  readonly code = 'access_denied';
  readonly status = 403;
}
