/**
 * The one structured logger of a roomkey process (pino): JSON lines by default, pino-pretty text
 * for a person at a terminal (`LOG_FORMAT=pretty`; colours only when the output is a terminal), UTC
 * ISO timestamps with milliseconds, `service` and `instance` on every line, and the request id of
 * whatever is being handled where the caller passes it (`errorLog.write`'s context). Fields that
 * could hold a secret or a token are redacted whatever the caller passes; messages never name one.
 */
import type { LoggerService } from '@nestjs/common';
import { hostname } from 'node:os';
import pino, { type DestinationStream, type Level, type Logger } from 'pino';

export type LoggerLevel = Level | 'silent';
export type LoggerFormat = 'json' | 'pretty';

/** What a log line says about the request it was written for (libs/nats's RequestContext is one). */
export interface LogContext {
  requestId?: string;
  service?: string;
}

/** Keys whose values are never written. */
export const REDACTED_KEYS = [
  'secret',
  'secretHash',
  'password',
  'pass',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'id_token',
  'subject_token',
  'actor_token',
  'client_secret',
  'clientSecret',
  'apiSecret',
  'adminToken',
  'authorization',
  'cookie',
  'code_verifier',
  'inviteCode',
  'privateJwk',
  'privateKey',
  'masterKey',
  'creds',
] as const;

/**
 * Where they are redacted: at the top level and inside the containers a caller might log whole
 * (a body, params, headers). Named paths, not wildcards: `*.key` paths cost pino ~20 µs a line and
 * `*.*.key` ~60 µs (measured), more than the gateway's whole access line; these cost nothing measurable.
 */
const REDACT_CONTAINERS = ['body', 'params', 'fields', 'headers', 'req.headers', 'request', 'caller'] as const;
const REDACT_PATHS = [...REDACTED_KEYS, ...REDACT_CONTAINERS.flatMap((container) => REDACTED_KEYS.map((key) => `${container}.${key}`))];
export const REDACTED = '[redacted]';

interface LoggerSettings {
  level: LoggerLevel;
  format: LoggerFormat;
  service: string;
  instance: string;
  destination?: DestinationStream;
}

const settings: LoggerSettings = {
  level: 'info',
  format: 'json',
  service: 'roomkey',
  instance: `${hostname()}:${process.pid}`,
};
let root: Logger | undefined;

/**
 * Sets the process's level, format, service name and (tests) destination; the next line uses them.
 * Several services in one process (the test harness) share one logger: lines written for a request
 * name their service from its context, the others `roomkey`.
 */
export function configureLogger(options: Partial<Omit<LoggerSettings, 'instance'>>): void {
  if (options.service !== undefined && configuredServices.add(options.service).size > 1) options = { ...options, service: 'roomkey' };
  Object.assign(settings, options);
  root = undefined;
}
const configuredServices = new Set<string>();

/** The process's pino logger, built on first use after each `configureLogger`. */
export function rootLogger(): Logger {
  return (root ??= buildLogger());
}

function buildLogger(): Logger {
  const options: pino.LoggerOptions = {
    level: settings.level,
    base: { instance: settings.instance },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    // A line's own `service` (errorLog.write's context) wins: pino merges the fields over the mixin.
    mixin: () => ({ service: settings.service }),
  };
  if (settings.destination) return pino(options, settings.destination);
  if (settings.format === 'pretty') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pretty = require('pino-pretty') as (options: object) => DestinationStream;
    return pino(
      options,
      pretty({ colorize: process.stdout.isTTY === true, translateTime: 'UTC:yyyy-mm-dd HH:MM:ss.l"Z"', ignore: 'pid,hostname', sync: true }),
    );
  }
  return pino(options, pino.destination({ dest: 1, sync: false }));
}

/** Writes what is buffered (before the process exits). */
export function flushLogger(): void {
  root?.flush();
}

/** NestJS's framework lines (module and route wiring at start) are debug, not info. */
const NEST_WIRING_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication', 'NestMicroservice', 'ServerNats']);

/** NestJS's LoggerService on the process's pino logger (`logger:` of NestFactory.create). */
export class PinoNestLogger implements LoggerService {
  log(message: unknown, ...rest: unknown[]): void {
    const context = contextOf(rest);
    this.write(context !== undefined && NEST_WIRING_CONTEXTS.has(context) ? 'debug' : 'info', message, context);
  }
  error(message: unknown, ...rest: unknown[]): void {
    const context = contextOf(rest);
    const stack = rest.find((value) => typeof value === 'string' && value.includes('\n    at ')) as string | undefined;
    this.write('error', message, context, stack);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, contextOf(rest));
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, contextOf(rest));
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, contextOf(rest));
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, contextOf(rest));
  }

  private write(level: Level, message: unknown, context: string | undefined, stack?: string): void {
    const logger = rootLogger();
    if (!logger.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    if (context !== undefined) fields.context = context;
    if (stack !== undefined) fields.stack = stack;
    if (message instanceof Error) {
      fields.err = message;
      logger[level](fields, message.message);
    } else if (typeof message === 'object' && message !== null) {
      logger[level]({ ...fields, ...message });
    } else {
      logger[level](fields, String(message));
    }
  }
}

/** Nest passes its context (the class name) as the last string argument. */
function contextOf(rest: unknown[]): string | undefined {
  const last = rest[rest.length - 1];
  return typeof last === 'string' && !last.includes('\n') ? last : undefined;
}
