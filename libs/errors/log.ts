/**
 * Logging goes through `errorLog.write`, one function writing the process's pino logger
 * (logger.ts: JSON lines with `service` and `instance`), given the request it is written for (its
 * id and the service handling it) by the caller: there is no ambient request context. The rule
 * for errors: an unexpected error (`internal_error`) is logged once, at error level with its stack,
 * by the process where it was thrown; expected errors (4xx) only at debug; errors relayed from
 * another service are that service's to log. The audit trail (failed authentications, throttling, admin changes) writes
 * at info or warn with an `audit` field naming the event type.
 */
import { InvalidTokenError, type RoomkeyError } from './errors';
import { rootLogger, type LogContext } from './logger';
import { asRoomkeyError } from './wire';

export type ErrorLogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface ErrorLogFields {
  requestId?: string;
  /** The NATS subject or the HTTP route (method and pattern) the error happened on. */
  where?: string;
  code?: string;
  detail?: string;
  kid?: string;
  jti?: string;
  stack?: string;
  /** Audit lines: the event type (`auth.failed`, `auth.throttled`, `admin.change`). */
  audit?: string;
  /** Identifiers only (apiKey, clientId, tenant, address, actor…): never a secret or a token. */
  [field: string]: unknown;
}

export const errorLog = {
  /**
   * One line. `context`: the request it is written for: its `requestId` (unless `fields` names one)
   * and the `service` handling it; absent for lines no request caused.
   */
  write(level: ErrorLogLevel, message: string, fields: ErrorLogFields, context?: LogContext): void {
    const logger = rootLogger();
    if (!logger.isLevelEnabled(level)) return;
    const line: Record<string, unknown> = {};
    for (const key in fields) if (fields[key] !== undefined) line[key] = fields[key];
    if (context !== undefined) {
      if (line.requestId === undefined && context.requestId !== undefined) line.requestId = context.requestId;
      if (context.service !== undefined) line.service = context.service;
    }
    logger[level](line, message);
  },
};

/** Logs a failure at the level its kind deserves; returns it as a RoomkeyError for the wire. */
export function logFailure(exception: unknown, where: string, context: LogContext | undefined): RoomkeyError {
  const error = asRoomkeyError(exception);
  const fields: ErrorLogFields = { requestId: context?.requestId, where, code: error.code, detail: error.detail };
  if (error.details.relayed) {
    errorLog.write('debug', `${error.code} relayed from another service: ${error.message}`, fields, context);
  } else if (error.code === 'internal_error') {
    errorLog.write('error', `Unexpected error: ${error.message}`, { ...fields, stack: error.stack }, context);
  } else if (error.status >= 500) {
    errorLog.write('warn', `${error.code}: ${error.message}`, fields, context);
  } else {
    errorLog.write('debug', `${error.code}: ${error.message}`, fields, context);
  }
  return error;
}

/** Logs why a token was refused, with its `kid`/`jti` when readable, never the token. Rethrows. */
export function logTokenRejection(exception: unknown, token: string, context: LogContext | undefined): never {
  if (exception instanceof InvalidTokenError) {
    errorLog.write('debug', 'Token rejected', { requestId: context?.requestId, detail: exception.detail, ...describeToken(token) }, context);
  }
  throw exception;
}

const PRINTABLE_ID = /^[\x21-\x7e]{1,128}$/;
const MAX_DESCRIBED_TOKEN = 8192;

/** `kid` and `jti` of a JWT, read WITHOUT verifying it (for logs only); absent when unreadable. */
export function describeToken(token: string): { kid?: string; jti?: string } {
  if (typeof token !== 'string' || token.length > MAX_DESCRIBED_TOKEN) return {};
  const [header, payload] = token.split('.', 2);
  const kid = printableField(header, 'kid');
  const jti = printableField(payload, 'jti');
  return { ...(kid && { kid }), ...(jti && { jti }) };
}

function printableField(segment: string | undefined, name: string): string | undefined {
  if (!segment) return undefined;
  try {
    const value = (JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>)[name];
    return typeof value === 'string' && PRINTABLE_ID.test(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
