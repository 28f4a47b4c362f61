/**
 * RoomkeyVerifier: local verification for media servers. Tokens are checked against the tenant's
 * JWKS by libs/verifier's LocalVerifier (alg allowlist per key, `iss`, `exp`/`nbf` with 30 s
 * tolerance, at most one JWKS refetch per interval on an unknown `kid`, last good keys kept when
 * the endpoint is down), and against live revocations (RevocationState) fed either by the NATS
 * events `{ns}.v1.events.{tenant}.>` or by the SSE stream `GET /realms/{t}/revocations`.
 *
 * No revocation is missed across a disconnect: over SSE every (re)connect starts with a snapshot
 * of what is in force (and resumes with Last-Event-ID); over NATS the client role cannot replay
 * JetStream, so on every (re)connect the verifier subscribes first and then reads the same HTTP
 * snapshot (url + apiKey needed), so anything revoked while it was away is in the snapshot and
 * anything after is in the subscription.
 */
import { LocalVerifier, RevocationState, VerificationError, can as canOf, type Jwks, type VerifiedClaims } from '../../../libs/verifier';
import type { RevocationSnapshot } from './contract-types';
import { RoomkeyError, UNAVAILABLE } from './errors';
import { basicAuthorization } from './http';
import { checkNamespace, DEFAULT_NAMESPACE, type NatsConnectionLike } from './nats';
import { readEventStream, SseParser, type ServerSentEvent } from './sse';

export type { VerifiedClaims };

export interface RoomkeyVerifierOptions {
  /** The gateway, e.g. `http://127.0.0.1:8080`: JWKS, and the revocation stream. */
  url: string;
  tenant: string;
  /** An API key of the tenant: needed for the revocation stream (and for the catch-up with `nats`). */
  apiKey?: string;
  apiSecret?: string;
  /** Follow revocations on this NATS connection (client role) instead of the HTTP stream. */
  nats?: NatsConnectionLike;
  /** `ROOMKEY_NAMESPACE` of the deployment, default `roomkey`. */
  namespace?: string;
  /** `iss` to expect; default `{url}/realms/{tenant}` (set it when PUBLIC_URL differs from `url`). */
  issuer?: string;
  /** When set, `aud` must be (or contain) one of these. */
  audience?: string | string[];
  /** At most one JWKS fetch per this many ms for unknown kids; default 5000. */
  jwksRefetchIntervalMs?: number;
  clockToleranceSeconds?: number;
  /** Reconnect delays of the revocation stream: first, then doubling (with jitter) up to max. Default 250 ms … 10 s. */
  reconnectDelayMs?: { initial: number; max: number };
  /** Per HTTP request (JWKS, stream connect), default 10 s. */
  timeoutMs?: number;
  /** Reports problems of the revocation feed (it keeps retrying). */
  onError?: (error: unknown) => void;
}

export interface RoomkeyVerifierStatus {
  /** `nats`, `sse`, or `none` (no revocation feed: no `nats` and no API key). */
  source: 'nats' | 'sse' | 'none';
  /** True while the revocation feed is connected and caught up. */
  connected: boolean;
  /** When the last revocation event or heartbeat arrived (ms since the epoch), or null. */
  lastEventAt: number | null;
  /** 0 while connected; otherwise how long (ms) revocations may have been missed. */
  staleMs: number;
  /** Kids of the tenant's JWKS now in memory. */
  knownKids: string[];
  jwksFetches: number;
}

/** Longest roomkey token lifetime: a revoked jti whose `exp` is not known is remembered this long. */
const MAX_TOKEN_LIFETIME_SECONDS = 86_400;

export class RoomkeyVerifier {
  private readonly verifier: LocalVerifier;
  private readonly revocations = new RevocationState();
  private readonly baseUrl: string;
  private readonly abort = new AbortController();
  private readonly timeoutMs: number;
  private readonly source: RoomkeyVerifierStatus['source'];
  private connected = false;
  private lastEventAt: number | null = null;
  private staleSince = Date.now();
  private started: Promise<void> | undefined;
  private closed = false;
  private subscription: { unsubscribe(): void } | undefined;
  private lastEventId: string | undefined;
  private reconnectAttempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private catchUp: Promise<void> | undefined;
  private catchUpRequested = false;
  /** NATS connection state as its status events tell it. */
  private natsUp = true;

  constructor(private readonly options: RoomkeyVerifierOptions) {
    if (!options?.url || !options.tenant) throw new TypeError('RoomkeyVerifier: `url` and `tenant` are required');
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    const jwksUrl = `${this.baseUrl}/realms/${encodeURIComponent(options.tenant)}/protocol/openid-connect/certs`;
    this.verifier = new LocalVerifier({
      issuer: options.issuer ?? `${this.baseUrl}/realms/${options.tenant}`,
      jwks: async () => {
        const response = await fetch(jwksUrl, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.timeoutMs) });
        if (!response.ok) throw new RoomkeyError(UNAVAILABLE, `JWKS of tenant ${options.tenant} answered HTTP ${response.status}`, response.status);
        return (await response.json()) as Jwks;
      },
      revocations: this.revocations,
      ...(options.audience === undefined ? {} : { audience: options.audience }),
      ...(options.jwksRefetchIntervalMs === undefined ? {} : { refetchIntervalMs: options.jwksRefetchIntervalMs }),
      ...(options.clockToleranceSeconds === undefined ? {} : { clockToleranceSeconds: options.clockToleranceSeconds }),
    });
    if (options.nats) {
      checkNamespace(options.namespace ?? DEFAULT_NAMESPACE);
      this.source = 'nats';
    } else this.source = options.apiKey && options.apiSecret ? 'sse' : 'none';
  }

  /**
   * Fetches the JWKS and connects the revocation feed; resolves once both are in (the first
   * snapshot applied). Rejects when the JWKS cannot be fetched or the feed refuses the API key.
   */
  start(): Promise<void> {
    this.started ??= (async () => {
      await this.verifier.refresh().catch((error: unknown) => {
        throw new RoomkeyError(UNAVAILABLE, `RoomkeyVerifier: cannot fetch the JWKS of tenant ${this.options.tenant}: ${messageOf(error)}`, 503, { cause: error });
      });
      if (this.source === 'nats') await this.startNats();
      else if (this.source === 'sse') await this.followStream();
    })();
    return this.started;
  }

  /** The claims of a valid, unrevoked token of the tenant; throws RoomkeyError `invalid_token` otherwise. */
  async verify(token: string): Promise<VerifiedClaims> {
    try {
      return await this.verifier.verify(token);
    } catch (error) {
      if (error instanceof VerificationError) throw new RoomkeyError('invalid_token', `Token is invalid or expired (${error.reason})`, 401, { cause: error });
      throw error;
    }
  }

  /** True when the claims grant `permission` in `room`. */
  can(claims: { perms?: unknown; rooms?: unknown }, permission: string, room: string): boolean {
    return canOf(claims, permission, room);
  }

  status(): RoomkeyVerifierStatus {
    return {
      source: this.source,
      connected: this.connected,
      lastEventAt: this.lastEventAt,
      staleMs: this.connected ? 0 : Date.now() - this.staleSince,
      knownKids: this.verifier.knownKids,
      jwksFetches: this.verifier.jwksFetches,
    };
  }

  /** Stops following revocations (the caller's NATS connection stays open). */
  close(): void {
    this.closed = true;
    this.abort.abort();
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.setConnected(false);
  }

  // ------------------------------------------------------------ revocations

  /** Applies one event (from NATS or SSE) or the snapshot. */
  private apply(type: string, data: Record<string, unknown>): void {
    this.lastEventAt = Date.now();
    switch (type) {
      case 'snapshot':
        return this.applySnapshot(data as Partial<RevocationSnapshot>);
      case 'token.revoked':
        if (typeof data.jti === 'string') this.revocations.revokeJti(data.jti, typeof data.exp === 'number' ? data.exp : Date.now() / 1000 + MAX_TOKEN_LIFETIME_SECONDS);
        return;
      case 'tokens.revoked-before': {
        const cutoff = seconds(data.issuedBefore);
        if (cutoff === undefined) return;
        if (typeof data.userId === 'string') this.revocations.revokeUserBefore(data.userId, cutoff);
        else this.revocations.revokeTenantBefore(cutoff);
        return;
      }
      case 'signing-key.revoked':
        if (typeof data.kid === 'string') this.revocations.revokeKid(data.kid);
        return;
      case 'tenant.deleted':
        // The tenant is gone: nothing it issued is valid any more.
        this.revocations.revokeTenantBefore(Number.POSITIVE_INFINITY);
        return;
      default:
        // Other events (api-key.revoked, …) do not change which tokens are valid.
        return;
    }
  }

  /** `RevocationSnapshot`: everything in force when the stream started (contract §4). */
  private applySnapshot(snapshot: Partial<RevocationSnapshot>): void {
    for (const token of list(snapshot.tokens)) if (isObject(token)) this.apply('token.revoked', token);
    for (const user of list(snapshot.users)) if (isObject(user) && typeof user.userId === 'string') this.apply('tokens.revoked-before', user);
    if (typeof snapshot.tenantIssuedBefore === 'string') this.apply('tokens.revoked-before', { issuedBefore: snapshot.tenantIssuedBefore });
    for (const key of list(snapshot.signingKeys)) if (isObject(key)) this.apply('signing-key.revoked', key);
  }

  private setConnected(connected: boolean): void {
    if (this.connected && !connected) this.staleSince = Date.now();
    this.connected = connected;
  }

  private report(error: unknown): void {
    try {
      this.options.onError?.(error);
    } catch {
      // the caller's callback failed; the feed goes on
    }
  }

  // ------------------------------------------------------------ NATS

  private async startNats(): Promise<void> {
    const nats = this.options.nats!;
    const namespace = this.options.namespace ?? DEFAULT_NAMESPACE;
    this.subscription = nats.subscribe(`${namespace}.v1.events.${this.options.tenant}.>`, {
      callback: (error, message) => {
        if (error) return this.report(error);
        try {
          const event = JSON.parse(message.string()) as Record<string, unknown>;
          if (typeof event.type === 'string') this.apply(event.type, event);
        } catch (parseError) {
          this.report(parseError);
        }
      },
    });
    await nats.flush();
    void this.watchNatsStatus(nats);
    await this.catchUpFromSnapshot(true);
  }

  /** Disconnected → stale; reconnected → the subscription is back, then the snapshot fills the gap. */
  private async watchNatsStatus(nats: NatsConnectionLike): Promise<void> {
    try {
      for await (const status of nats.status()) {
        if (this.closed) return;
        if (status.type === 'disconnect' || status.type === 'staleConnection') {
          this.natsUp = false;
          this.setConnected(false);
        } else if (status.type === 'reconnect') {
          this.natsUp = true;
          void this.catchUpFromSnapshot(false).catch((error: unknown) => this.report(error));
        } else if (status.type === 'close') {
          this.natsUp = false;
          return this.setConnected(false);
        }
      }
    } catch (error) {
      this.report(error);
    }
  }

  /**
   * Over NATS: read the HTTP stream's snapshot once (the subscription is already live). A reconnect
   * during a catch-up asks for another one after it, so the snapshot always postdates the last gap.
   * Without an API key there is nothing to catch up from: the subscription alone is trusted.
   */
  private catchUpFromSnapshot(failOnRefusal: boolean): Promise<void> {
    if (!this.options.apiKey || !this.options.apiSecret) {
      this.setConnected(this.natsUp);
      return Promise.resolve();
    }
    if (this.catchUp) {
      this.catchUpRequested = true;
      return this.catchUp;
    }
    this.catchUp = (async () => {
      do {
        this.catchUpRequested = false;
        for (let attempt = 0; !this.closed; attempt++) {
          try {
            await this.openStream({ untilSnapshot: true });
            break;
          } catch (error) {
            this.report(error);
            if (failOnRefusal && isRefusal(error)) throw error;
            await delay(this.backoff(attempt), this.abort.signal);
          }
        }
      } while (this.catchUpRequested && !this.closed);
      if (!this.closed) this.setConnected(this.natsUp);
    })().finally(() => (this.catchUp = undefined));
    return this.catchUp;
  }

  // ------------------------------------------------------------ SSE

  /** Connects and resolves once the first snapshot is in; then keeps following with reconnects. */
  private followStream(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let first = true;
      const connect = async () => {
        try {
          await this.openStream({
            untilSnapshot: false,
            onSnapshot: () => {
              if (first) {
                first = false;
                resolve();
              }
            },
          });
          // The server ended the stream: reconnect (with back-off, should it keep ending at once).
          this.setConnected(false);
          this.scheduleReconnect(connect, this.backoff(this.reconnectAttempt++));
        } catch (error) {
          this.setConnected(false);
          if (this.closed) return resolve();
          if (first && isRefusal(error)) {
            first = false;
            return reject(error);
          }
          this.report(error);
          this.scheduleReconnect(connect, this.backoff(this.reconnectAttempt++));
        }
      };
      void connect();
    });
  }

  private scheduleReconnect(connect: () => Promise<void>, delayMs: number): void {
    if (this.closed) return;
    this.reconnectTimer = setTimeout(() => void connect(), delayMs);
  }

  /**
   * One connection to `/realms/{t}/revocations`. With `untilSnapshot`, resolves as soon as the
   * snapshot is applied (and closes); otherwise follows until the stream ends.
   */
  private async openStream(options: { untilSnapshot: boolean; onSnapshot?: () => void }): Promise<void> {
    const url = `${this.baseUrl}/realms/${encodeURIComponent(this.options.tenant)}/revocations`;
    const headers: Record<string, string> = {
      accept: 'text/event-stream',
      authorization: basicAuthorization(this.options.apiKey!, this.options.apiSecret!),
    };
    if (this.lastEventId !== undefined && !options.untilSnapshot) headers['last-event-id'] = this.lastEventId;
    const connection = new AbortController();
    const onClose = () => connection.abort();
    this.abort.signal.addEventListener('abort', onClose, { once: true });
    const connectTimeout = AbortSignal.timeout(this.timeoutMs);
    try {
      let response: Response;
      try {
        response = await fetch(url, { headers, signal: AbortSignal.any([connection.signal, connectTimeout]) });
      } catch (error) {
        throw new RoomkeyError(UNAVAILABLE, `Cannot reach the revocation stream of tenant ${this.options.tenant}: ${messageOf(error)}`, 503, { cause: error });
      }
      if (!response.ok || !response.body) {
        const text = await response.text().catch(() => '');
        throw new RoomkeyError(response.status === 401 ? 'unauthorized' : response.status === 404 ? 'not_found' : UNAVAILABLE, `The revocation stream answered HTTP ${response.status} ${text.slice(0, 200)}`, response.status);
      }
      // A connection that held for a while starts the next drop's back-off from the beginning; one
      // that keeps ending at once (even after sending data) backs off further each time.
      const openedAt = Date.now();
      let snapshotSeen = false;
      const resuming = headers['last-event-id'] !== undefined;
      if (resuming) {
        // The server replays exactly what came after our last id (no snapshot): caught up.
        this.setConnected(true);
        options.onSnapshot?.();
      }
      const parser = new SseParser(
        (event: ServerSentEvent) => {
          if (event.id !== undefined) this.lastEventId = event.id;
          let data: unknown;
          try {
            data = JSON.parse(event.data);
          } catch {
            return this.report(new Error(`revocation stream: event ${event.event} is not JSON`));
          }
          if (!isObject(data)) return;
          this.apply(event.event === 'message' && typeof data.type === 'string' ? data.type : event.event, data);
          if (event.event === 'snapshot' && !snapshotSeen) {
            snapshotSeen = true;
            if (!this.options.nats) this.setConnected(true);
            options.onSnapshot?.();
            if (options.untilSnapshot) connection.abort();
          }
        },
        () => {
          this.lastEventAt = Date.now();
        },
      );
      try {
        await readEventStream(response.body, parser, connection.signal);
      } catch (error) {
        if (!(options.untilSnapshot && snapshotSeen)) throw error;
      } finally {
        if (Date.now() - openedAt >= this.healthyConnectionMs()) this.reconnectAttempt = 0;
      }
      if (options.untilSnapshot && !snapshotSeen) throw new RoomkeyError(UNAVAILABLE, 'The revocation stream ended before its snapshot', 503);
    } finally {
      this.abort.signal.removeEventListener('abort', onClose);
    }
  }

  /** How long a stream must have held for its end to count as a fresh drop (the longest back-off, at least 5 s). */
  private healthyConnectionMs(): number {
    return Math.max(5000, (this.options.reconnectDelayMs ?? { initial: 250, max: 10_000 }).max);
  }

  private backoff(attempt: number): number {
    const { initial, max } = this.options.reconnectDelayMs ?? { initial: 250, max: 10_000 };
    const ceiling = Math.min(initial * 2 ** Math.min(attempt, 20), max);
    return ceiling / 2 + (Math.random() * ceiling) / 2;
  }
}

function isRefusal(error: unknown): boolean {
  return error instanceof RoomkeyError && (error.status === 401 || error.status === 403 || error.status === 404);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function seconds(iso: unknown): number | undefined {
  if (typeof iso === 'number') return iso > 1e11 ? iso / 1000 : iso;
  if (typeof iso !== 'string') return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
