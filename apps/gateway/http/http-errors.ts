/**
 * The gateway's one mapping from any error to an HTTP answer (contract §4): OAuth endpoints get
 * RFC 6749 §5.2 bodies, every other endpoint `{error, message}`. Fastify's own parser errors
 * (too large, malformed JSON) and Nest's routing errors map onto the same codes.
 */
import { HttpException } from '@nestjs/common';
import { RoomkeyError, asRoomkeyError, logFailure, type ErrorDetails } from '@roomkey/errors';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { httpRequestContext, REQUEST_ID_RESPONSE_HEADER } from './request-id';

export const MAX_BODY_BYTES = 16 * 1024;

export interface HttpErrorAnswer {
  status: number;
  body: Record<string, string>;
  headers: Record<string, string>;
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'not_found',
  409: 'conflict',
  410: 'gone',
  413: 'payload_too_large',
  415: 'invalid_request',
  429: 'rate_limited',
  503: 'unavailable',
};

/** A plain typed error for 4xx that come from the HTTP layer itself. */
class HttpLayerError extends RoomkeyError {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    details: ErrorDetails = {},
  ) {
    super(message, details);
  }
}

/** 415: the route takes a body only in `accepted` media types. */
export function unsupportedMediaType(accepted: readonly string[]): RoomkeyError {
  return new HttpLayerError('invalid_request', 415, `Unsupported Content-Type: send ${accepted.join(' or ')}`);
}

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

function fromFastify(error: FastifyLikeError): RoomkeyError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpLayerError('payload_too_large', 413, `Request body is larger than ${MAX_BODY_BYTES / 1024} KiB`);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HttpLayerError('invalid_request', 400, 'Request body is not valid JSON');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpLayerError('invalid_request', 400, 'Request body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpLayerError('invalid_request', 415, 'Unsupported Content-Type: send application/json (OAuth endpoints: application/x-www-form-urlencoded)');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HttpLayerError('invalid_request', 400, 'Content-Length does not match the body');
    case 'FST_ERR_BAD_URL':
      return new HttpLayerError('invalid_request', 400, 'Malformed URL: a path segment has invalid percent-encoding');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new HttpLayerError('invalid_request', 400, 'Malformed URL: a path parameter is too long');
    default:
      break;
  }
  if (error instanceof SyntaxError) return new HttpLayerError('invalid_request', 400, 'Request body is not valid JSON');
  const status = error.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpLayerError(CODE_BY_STATUS[status] ?? 'invalid_request', CODE_BY_STATUS[status] ? status : 400, error.message ?? 'Bad request');
  }
  return undefined;
}

function fromNest(error: HttpException): RoomkeyError {
  const status = error.getStatus();
  const response = error.getResponse();
  const message =
    typeof response === 'object' && response !== null && typeof (response as { message?: unknown }).message === 'string'
      ? (response as { message: string }).message
      : error.message;
  if (status >= 500) return asRoomkeyError(error);
  return new HttpLayerError(CODE_BY_STATUS[status] ?? 'invalid_request', status === 405 ? 404 : status, message);
}

/** Endpoints that answer RFC 6749 §5.2 bodies `{error, error_description}` for every error. */
const OAUTH_ENDPOINT = /^\/(?:realms\/[^/]+\/protocol\/openid-connect\/(?:token(?:\/introspect)?|revoke)|oauth\/token)\/?(?:\?|$)/;

/** Every OAuth endpoint is a POST; another method at that path is an unknown route (`{error, message}`). */
export function isOAuthEndpoint(url: string, method = 'POST'): boolean {
  return method === 'POST' && OAUTH_ENDPOINT.test(url);
}

const SHOWN_PATH_LENGTH = 100;

/** Nest's "Cannot GET /…" echoes the whole path (3,000 characters, say); this names it briefly. */
function unknownRoute(request: FastifyRequest): RoomkeyError {
  const path = request.url.split('?')[0];
  const shown = path.length > SHOWN_PATH_LENGTH ? `${path.slice(0, SHOWN_PATH_LENGTH)}…` : path;
  return new HttpLayerError('not_found', 404, `No route ${request.method} ${shown}`);
}

/** Any thrown value as the RoomkeyError it answers as (Nest's and Fastify's own 4xx included). */
export function asHttpError(exception: unknown): RoomkeyError {
  if (exception instanceof RoomkeyError) return exception;
  if (exception instanceof HttpException) return fromNest(exception);
  return fromFastify((exception ?? {}) as FastifyLikeError) ?? asRoomkeyError(exception);
}

export function toHttpError(exception: unknown, oauthEndpoint = false): HttpErrorAnswer {
  const error = asHttpError(exception);
  const message = error.expose ? error.message : 'Internal error';
  const headers: Record<string, string> = {};
  if (error.details.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.details.retryAfterSeconds);
  if (error.status === 401) headers['www-authenticate'] = error.details.challenge ?? 'Basic realm="roomkey"';
  const oauthShape = oauthEndpoint || error.oauth;
  if (oauthShape) headers['cache-control'] = 'no-store';
  const body: Record<string, string> = oauthShape ? { error: error.code, error_description: message } : { error: error.code, message };
  // RFC 6749 §5.2 has no 415: an OAuth endpoint answers a wrong content type 400 invalid_request.
  const status = oauthShape && error.status === 415 ? 400 : error.status;
  return { status, body, headers };
}

/**
 * Fastify's `frameworkErrors`: the router's own refusals (malformed URL, over-long parameter) come
 * before any hook or Nest filter, so they are answered here, in the same shape.
 */
export function answerRouterError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  sendHttpError(reply, error, request);
}

/** Logs the failure (once, with route and request id) and answers it; the answer never holds `detail`. */
export function sendHttpError(reply: FastifyReply, exception: unknown, request: FastifyRequest): void {
  const unmatched = request.routeOptions?.url === undefined;
  const known = unmatched && exception instanceof HttpException && exception.getStatus() === 404 ? unknownRoute(request) : asHttpError(exception);
  const error = logFailure(known, `${request.method} ${request.routeOptions?.url ?? 'unmatched'}`, httpRequestContext(request));
  const answer = toHttpError(error, isOAuthEndpoint(request.url, request.method));
  // Set here too: the router's own errors (malformed URL) reach this before any hook has run.
  answer.headers[REQUEST_ID_RESPONSE_HEADER] = request.id;
  void reply.status(answer.status).headers(answer.headers).send(answer.body);
}

/**
 * Fastify's `clientErrorHandler`: requests Node's HTTP parser refuses (a broken request line or
 * header, headers over the size limit) never become requests; they are answered here, in the
 * contract's shape with a new request id, and the connection is closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    // 400 for all of them: the contract's codes have no 408 or 431.
    const message =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? 'Request headers are larger than the server accepts'
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 'Request was not received in time'
          : 'Malformed HTTP request';
    const body = JSON.stringify({ error: 'invalid_request', message });
    socket.write(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `${REQUEST_ID_RESPONSE_HEADER}: ${randomUUID()}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
