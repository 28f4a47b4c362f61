/**
 * TokenProvider: wraps the partner's token loader (GetStream's `tokenProvider`, LiveKit's token
 * endpoint) for browsers and Node alike — no Node imports in this file. It loads a token, reads
 * `exp` from the JWT payload, and loads the next one ahead of expiry; one load runs at a time; a
 * loader that throws or returns something that is not a JWT is reported through `onError` and
 * retried with exponential back-off and jitter, never in a tight loop.
 */
import { RoomkeyError } from './errors';

export type TokenLoader = () => string | Promise<string>;

export interface TokenProviderOptions {
  /** Returns a token string (e.g. fetched from the partner's backend, which asks roomkey). */
  loader: TokenLoader;
  /** Called with each new token (after the first load and after every refresh). */
  onTokenUpdated?: (token: string) => void;
  /** Called with each failed load; the provider retries on its own. */
  onError?: (error: unknown) => void;
  /** Refresh this many seconds before `exp`. Default: when `refreshRatio` of the lifetime has passed. */
  refreshBeforeSeconds?: number;
  /** Share of the lifetime after which to refresh when `refreshBeforeSeconds` is not set; default 0.8. */
  refreshRatio?: number;
  /** First retry delay after a failure, default 1000 ms; doubles up to `maxRetryDelayMs` (default 60 s). */
  initialRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Current time in ms and a random source (tests). */
  now?: () => number;
  random?: () => number;
}

interface LoadedToken {
  token: string;
  /** ms since the epoch. */
  expiresAt: number;
}

/** setTimeout's largest delay (about 24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

export class TokenProvider {
  private current: LoadedToken | undefined;
  private loading: Promise<LoadedToken> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private stopped = false;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: TokenProviderOptions) {
    if (!options || typeof options.loader !== 'function') throw new TypeError('TokenProvider: `loader` must be a function returning a token');
    const ratio = options.refreshRatio ?? 0.8;
    if (!(ratio > 0 && ratio < 1)) throw new TypeError('TokenProvider: refreshRatio must be between 0 and 1');
    this.now = options.now ?? (() => Date.now());
    this.random = options.random ?? Math.random;
  }

  /** A token that has not expired: the current one, or the result of a load (started if none runs). */
  async getToken(): Promise<string> {
    if (this.stopped) throw new RoomkeyError('stopped', 'TokenProvider was stopped', 0);
    const current = this.current;
    if (current && current.expiresAt > this.now()) return current.token;
    return (await this.load()).token;
  }

  /** Loads a new token now (sharing a load already running). */
  async refresh(): Promise<string> {
    return (await this.load()).token;
  }

  /** Stops refreshing; no timer stays behind. */
  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  /** Failed loads in a row (0 after a success). */
  get consecutiveFailures(): number {
    return this.failures;
  }

  private load(): Promise<LoadedToken> {
    if (this.loading) return this.loading;
    this.clearTimer();
    const loading = (async () => {
      try {
        const token = await this.options.loader();
        const expiresAt = expiryOf(token);
        if (expiresAt <= this.now()) throw new RoomkeyError('invalid_token', 'The token loader returned a token that has already expired', 0);
        const loaded = { token, expiresAt };
        if (this.stopped) return loaded;
        this.current = loaded;
        this.failures = 0;
        this.schedule(this.refreshDelay(expiresAt));
        this.notify(() => this.options.onTokenUpdated?.(token));
        return loaded;
      } catch (error) {
        this.failures++;
        this.notify(() => this.options.onError?.(error));
        if (!this.stopped) this.schedule(this.retryDelay());
        throw error;
      }
    })();
    this.loading = loading;
    void loading.then(
      () => (this.loading = undefined),
      () => (this.loading = undefined),
    );
    return loading;
  }

  private refreshDelay(expiresAt: number): number {
    const now = this.now();
    const remaining = expiresAt - now;
    const ahead = this.options.refreshBeforeSeconds !== undefined ? this.options.refreshBeforeSeconds * 1000 : remaining * (1 - (this.options.refreshRatio ?? 0.8));
    // Never sooner than a second from now: a token that is (nearly) expired on arrival must not spin the loader.
    return Math.max(remaining - ahead, 1000);
  }

  /** Exponential back-off with jitter: a random delay between half and all of min(initial·2^(n-1), max). */
  private retryDelay(): number {
    const initial = this.options.initialRetryDelayMs ?? 1000;
    const max = this.options.maxRetryDelayMs ?? 60_000;
    const ceiling = Math.min(initial * 2 ** Math.min(this.failures - 1, 30), max);
    return Math.max(ceiling / 2 + (this.random() * ceiling) / 2, 100);
  }

  private schedule(delayMs: number): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Failures are reported through onError; the rejection here is handled.
      this.load().catch(() => undefined);
    }, Math.min(delayMs, MAX_TIMER_MS));
    // In Node, a refresh timer alone does not keep the process alive.
    (this.timer as { unref?: () => void }).unref?.();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A throwing callback must not break the provider. */
  private notify(callback: () => void): void {
    try {
      callback();
    } catch {
      // the partner's callback failed; nothing for the provider to do
    }
  }
}

/** `exp` of a JWT (ms since the epoch); throws RoomkeyError `invalid_token` for anything else. */
export function expiryOf(token: unknown): number {
  if (typeof token !== 'string') throw new RoomkeyError('invalid_token', `The token loader returned ${token === null ? 'null' : typeof token}, not a token string`, 0);
  const parts = token.split('.');
  if (parts.length !== 3) throw new RoomkeyError('invalid_token', 'The token loader returned a string that is not a JWT', 0);
  let payload: unknown;
  try {
    payload = JSON.parse(decodeBase64Url(parts[1]));
  } catch {
    throw new RoomkeyError('invalid_token', 'The token loader returned a JWT whose payload is not JSON', 0);
  }
  const exp = (payload as { exp?: unknown } | null)?.exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new RoomkeyError('invalid_token', 'The token loader returned a JWT without a numeric exp', 0);
  return exp * 1000;
}

function decodeBase64Url(segment: string): string {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (segment.length % 4)) % 4);
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}
