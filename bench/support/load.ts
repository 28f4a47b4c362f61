/**
 * Load generators, all in this process (which shares the machine's cores with the servers):
 * autocannon for HTTP, a plain NATS client with a fixed number of requests in flight, and local
 * verification with jose against a JWKS (what a media server does).
 */
import type { NatsConnection } from '@nats-io/transport-node';
import autocannon from 'autocannon';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface LoadResult {
  /** Successful operations (2xx, `{"ok":true…}`, valid verifications). */
  count: number;
  seconds: number;
  /** Successful operations per second. */
  rate: number;
  p50Ms: number;
  p99Ms: number;
  /** Failed operations (non-2xx, error replies, transport errors, timeouts). */
  failures: number;
}

export type Tick = (elapsedSeconds: number, count: number) => void;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Latencies in ms, kept in a growable typed array (a 10 s run at 10,000/s is 100,000 samples). */
class Latencies {
  private values = new Float64Array(1 << 16);
  private size = 0;

  add(ms: number): void {
    if (this.size === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.size++] = ms;
  }

  summary(): { p50Ms: number; p99Ms: number } {
    const sorted = this.values.slice(0, this.size).sort();
    return { p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
  }
}

function ticker(started: number, onTick: Tick | undefined, count: () => number): NodeJS.Timeout {
  return setInterval(() => onTick?.((performance.now() - started) / 1000, count()), 1000);
}

export interface HttpTarget {
  /** Origin, e.g. http://127.0.0.1:8080 */
  url: string;
  request: autocannon.Request;
}

/** autocannon with `connections` connections for `seconds`; latency of every 2xx answer, in ms. */
export async function httpLoad(target: HttpTarget, options: { connections: number; seconds: number; onTick?: Tick }): Promise<LoadResult> {
  const latencies = new Latencies();
  let ok = 0;
  let failed = 0;
  const started = performance.now();
  const instance = autocannon({
    url: target.url,
    connections: options.connections,
    duration: options.seconds,
    timeout: 10,
    requests: [target.request],
  });
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode >= 200 && statusCode < 300) {
      ok++;
      latencies.add(responseTime);
    } else {
      failed++;
    }
  });
  const timer = ticker(started, options.onTick, () => ok);
  const result = await instance;
  clearInterval(timer);
  const seconds = (performance.now() - started) / 1000;
  return { count: ok, seconds, rate: ok / seconds, ...latencies.summary(), failures: failed + result.errors };
}

/**
 * Open-loop HTTP load (wrk2-style): `rate` requests per second, evenly spaced, over at most
 * `connections` keep-alive connections, for `seconds`. Each latency is measured from the moment the
 * request was due, not from when a connection was free to send it, so a server that falls behind
 * is charged for the queue it causes (no coordinated omission). autocannon's own `overallRate`
 * sends each second's quota in a burst at the start of the second, which measures the burst.
 */
export async function pacedHttpLoad(
  target: HttpTarget,
  options: { connections: number; rate: number; seconds: number; onTick?: Tick },
): Promise<LoadResult> {
  const latencies = new Latencies();
  const url = new URL(target.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections, maxFreeSockets: options.connections });
  const base = target.request;
  const interval = 1000 / options.rate;
  const total = Math.round(options.rate * options.seconds);
  let ok = 0;
  let failed = 0;
  let sent = 0;
  let pending = 0;
  const started = performance.now();
  const timer = ticker(started, options.onTick, () => ok);
  await new Promise<void>((resolve) => {
    const finishIfDone = () => {
      if (sent === total && pending === 0) resolve();
    };
    const send = (dueAt: number) => {
      const variant = base.setupRequest ? base.setupRequest({ ...base }, {}) : base;
      const headers = { ...(variant.headers as Record<string, string>) };
      const body = typeof variant.body === 'string' ? variant.body : '';
      headers['content-length'] = String(Buffer.byteLength(body));
      pending++;
      const req = httpRequest({ host: url.hostname, port: url.port, path: variant.path, method: variant.method, headers, agent, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => {
          pending--;
          if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) {
            ok++;
            latencies.add(performance.now() - dueAt);
          } else failed++;
          finishIfDone();
        });
      });
      req.on('error', () => {
        pending--;
        failed++;
        finishIfDone();
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.end(body);
    };
    const pump = () => {
      const now = performance.now();
      // Everything due by now, each stamped with the time it was due.
      while (sent < total && started + sent * interval <= now) send(started + sent++ * interval);
      if (sent < total) setTimeout(pump, Math.max(0, Math.min(1, started + sent * interval - now)));
      else finishIfDone();
    };
    pump();
  });
  clearInterval(timer);
  agent.destroy();
  const seconds = (performance.now() - started) / 1000;
  return { count: ok, seconds, rate: ok / seconds, ...latencies.summary(), failures: failed };
}

const OK_PREFIX = new TextEncoder().encode('{"ok":true');

function isOkReply(data: Uint8Array): boolean {
  if (data.length < OK_PREFIX.length) return false;
  for (let i = 0; i < OK_PREFIX.length; i++) if (data[i] !== OK_PREFIX[i]) return false;
  return true;
}

/** `inFlight` workers, each sending the next request as soon as its reply arrives, for `seconds`. */
export async function natsLoad(
  connection: NatsConnection,
  subject: string,
  bodies: readonly Uint8Array[],
  options: { inFlight: number; seconds: number; onTick?: Tick },
): Promise<LoadResult> {
  const latencies = new Latencies();
  let ok = 0;
  let failed = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const timer = ticker(started, options.onTick, () => ok);
  const worker = async () => {
    while (performance.now() < deadline) {
      const body = bodies[next++ % bodies.length];
      const sent = performance.now();
      try {
        const reply = await connection.request(subject, body, { timeout: 10_000 });
        if (isOkReply(reply.data)) {
          ok++;
          latencies.add(performance.now() - sent);
        } else {
          failed++;
        }
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.inFlight }, worker));
  clearInterval(timer);
  const seconds = (performance.now() - started) / 1000;
  return { count: ok, seconds, rate: ok / seconds, ...latencies.summary(), failures: failed };
}

/**
 * Local verification, one after another on this process's one thread: jose's jwtVerify against
 * the tenant's JWKS (fetched once and cached, as createRemoteJWKSet does for a media server).
 */
export async function localVerifyLoad(
  jwksUrl: string,
  tokens: readonly string[],
  expected: { issuer: string; audience: string },
  options: { seconds: number; onTick?: Tick },
): Promise<LoadResult> {
  const jwks = createRemoteJWKSet(new URL(jwksUrl));
  const verifyOptions = { issuer: expected.issuer, audience: expected.audience, algorithms: ['ES256'], typ: 'at+jwt' };
  await jwtVerify(tokens[0], jwks, verifyOptions); // fetches the JWKS
  const latencies = new Latencies();
  let ok = 0;
  let failed = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const timer = ticker(started, options.onTick, () => ok);
  let i = 0;
  while (performance.now() < deadline) {
    // Yield to the event loop now and then so the progress line keeps moving.
    for (let batch = 0; batch < 200; batch++) {
      const began = performance.now();
      try {
        await jwtVerify(tokens[i++ % tokens.length], jwks, verifyOptions);
        ok++;
        latencies.add(performance.now() - began);
      } catch {
        failed++;
      }
    }
    await new Promise((resolveLater) => setImmediate(resolveLater));
  }
  clearInterval(timer);
  const seconds = (performance.now() - started) / 1000;
  return { count: ok, seconds, rate: ok / seconds, ...latencies.summary(), failures: failed };
}
