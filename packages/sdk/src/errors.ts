/**
 * The one error the SDK throws. `code` is the contract's error code (§4: `invalid_request`,
 * `unauthorized`, `invalid_token`, `not_found`, …) or an OAuth `error`; `status` is the HTTP status
 * (over NATS: the status that code maps to). Browser-safe: no Node imports here.
 */
export class RoomkeyError extends Error {
  /** Seconds to wait before retrying (from `Retry-After` or the NATS reply's `retryAfter`). */
  readonly retryAfterSeconds?: number;
  /** The request field a 400 is about, when the server named one. */
  readonly field?: string;

  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    extra: { retryAfterSeconds?: number; field?: string; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'RoomkeyError';
    if (extra.retryAfterSeconds !== undefined) this.retryAfterSeconds = extra.retryAfterSeconds;
    if (extra.field !== undefined) this.field = extra.field;
  }
}

export function isRoomkeyError(error: unknown): error is RoomkeyError {
  return error instanceof RoomkeyError;
}

/** Thrown for an operation the chosen transport cannot carry (e.g. admin calls over NATS). */
export const NOT_SUPPORTED = 'not_supported';
/** Thrown when roomkey cannot be reached (network error, timeout, no responders on NATS). */
export const UNAVAILABLE = 'unavailable';
