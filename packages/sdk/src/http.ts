/**
 * HTTP calls to the gateway with the global fetch. Contract error bodies (`{error, message}`, or
 * OAuth `{error, error_description}`) become RoomkeyError; a network failure is `unavailable`.
 */
import { RoomkeyError, UNAVAILABLE } from './errors';

export type HttpAuth =
  | { kind: 'basic'; apiKey: string; apiSecret: string }
  | { kind: 'bearer'; token: string }
  /** OAuth client_secret_basic (RFC 6749 §2.3.1): id and secret form-urlencoded, then Basic. */
  | { kind: 'client'; clientId: string; clientSecret: string }
  | { kind: 'none' };

/** `application/x-www-form-urlencoded` parameters; an array repeats the parameter. */
export type FormParams = Record<string, string | readonly string[] | undefined>;

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  auth: HttpAuth;
  /** A JSON body. */
  body?: unknown;
  /** A form body (the OAuth endpoints), instead of `body`. */
  form?: FormParams;
  query?: Record<string, string | number | undefined>;
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

export function basicAuthorization(apiKey: string, apiSecret: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(`${apiKey}:${apiSecret}`)) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

const formEncode = (value: string) => new URLSearchParams([['', value]]).toString().slice(1);

export function authorizationHeader(auth: HttpAuth): string | undefined {
  if (auth.kind === 'basic') return basicAuthorization(auth.apiKey, auth.apiSecret);
  if (auth.kind === 'client') return basicAuthorization(formEncode(auth.clientId), formEncode(auth.clientSecret));
  if (auth.kind === 'bearer') return `Bearer ${auth.token}`;
  return undefined;
}

/** `/a/{b}` paths with each parameter percent-encoded. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

export class HttpTransport {
  readonly baseUrl: string;

  constructor(baseUrl: string, private readonly defaultTimeoutMs = DEFAULT_TIMEOUT_MS) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** The parsed JSON answer (undefined for 204); throws RoomkeyError on any failure. */
  async request<T>(request: HttpRequest): Promise<T> {
    const url = new URL(`${this.baseUrl}${request.path}`);
    for (const [name, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = { accept: 'application/json' };
    const authorization = authorizationHeader(request.auth);
    if (authorization) headers.authorization = authorization;
    let body: string | undefined;
    if (request.form !== undefined) {
      const form = new URLSearchParams();
      for (const [name, value] of Object.entries(request.form)) for (const one of typeof value === 'string' ? [value] : (value ?? [])) form.append(name, one);
      body = form.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers['content-type'] = 'application/json';
    }
    let response: Response;
    try {
      response = await fetch(url, { method: request.method, headers, body, credentials: 'omit', signal: AbortSignal.timeout(request.timeoutMs ?? this.defaultTimeoutMs) });
    } catch (error) {
      throw new RoomkeyError(UNAVAILABLE, `Cannot reach roomkey at ${this.baseUrl}: ${error instanceof Error ? error.message : String(error)}`, 503, { cause: error });
    }
    const text = await response.text().catch(() => '');
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (response.ok) return parsed as T;
    throw errorFromAnswer(response.status, parsed, response.headers.get('retry-after'));
  }
}

/** A contract error body → RoomkeyError; anything else → a code from the status. */
export function errorFromAnswer(status: number, body: unknown, retryAfter?: string | null): RoomkeyError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const code = typeof b.error === 'string' ? b.error : codeForStatus(status);
  const message = typeof b.message === 'string' ? b.message : typeof b.error_description === 'string' ? b.error_description : `HTTP ${status}`;
  const seconds = retryAfter ? Number(retryAfter) : undefined;
  return new RoomkeyError(code, message, status, {
    ...(seconds !== undefined && Number.isFinite(seconds) ? { retryAfterSeconds: seconds } : {}),
    ...(typeof b.field === 'string' ? { field: b.field } : {}),
  });
}

const CODES_BY_STATUS: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  410: 'gone',
  413: 'payload_too_large',
  429: 'rate_limited',
  503: 'unavailable',
};

function codeForStatus(status: number): string {
  return CODES_BY_STATUS[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request');
}
