/**
 * Prometheus metrics of every service (contract §4: `GET /metrics`, labels `service` and
 * `instance`). Each service application keeps one prom-client `Registry` (`ServiceMetrics`) whose
 * default labels are its service name and a random instance id made when it starts. Every replica
 * answers `MetricsCollectRoute` (a plain subscription, not a queue group: each replica hears it)
 * with its registry's text; the gateway asks with a request-many, waits a short bounded time, and
 * merges what came back with its own (`mergeExpositions`: each family's HELP and TYPE once).
 *
 * The hot path only calls `inc`/`observe` on children bound once (`CounterFamily`): no label
 * object is built per request. Figures that live elsewhere (cache sizes, revocation list, signing
 * keys) are read at scrape time by a `collect()`.
 */
import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { headers, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { MetricsCollectRoute, type Namespace } from '@roomkey/contracts';
import { randomBytes } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { NAMESPACE, NATS_CONNECTION } from './nest';

export type MetricsServiceName = 'keys' | 'issuer' | 'identity' | 'gateway';
export type TokenVerificationResult = 'valid' | 'invalid' | 'revoked';
export type AuthenticationScope = 'api_key' | 'client';

/** The reply header naming the answering instance (the gateway skips its own answer). */
export const METRICS_INSTANCE_HEADER = 'Roomkey-Instance';
/** How long the gateway waits for every replica's answer. */
export const METRICS_COLLECT_WAIT_MS = 250;

/** Latency buckets (seconds) for NATS requests: sub-millisecond hops to the request timeout. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The one registry of a service application, with its `service` and `instance` labels. */
export class ServiceMetrics {
  readonly registry = new Registry();

  constructor(
    readonly service: MetricsServiceName,
    readonly instance: string = randomBytes(6).toString('hex'),
  ) {
    this.registry.setDefaultLabels({ service, instance });
    registerProcessMetrics(this.registry);
    // Services that publish events show the family from the start (a scrape finds it at zero).
    if (service !== 'gateway') this.publishFailures();
  }

  /** A counter family with one or two labels, children bound on first use (see CounterFamily). */
  family<A extends string, B extends string = never>(name: string, help: string, labelNames: [string] | [string, string]): CounterFamily<A, B> {
    return new CounterFamily<A, B>(this.counter(name, help, labelNames), labelNames.length as 1 | 2);
  }

  /** A counter family (the same one when asked again by name); `collect` runs at each scrape. */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = [], collect?: (counter: Counter<L>) => void): Counter<L> {
    const existing = this.registry.getSingleMetric(name) as Counter<L> | undefined;
    if (existing) return existing;
    return new Counter({
      name,
      help,
      labelNames,
      registers: [this.registry],
      ...(collect ? { collect(this: Counter<L>) { collect(this); } } : {}),
    });
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[], collect?: (gauge: Gauge<L>) => void | Promise<void>): Gauge<L> {
    const existing = this.registry.getSingleMetric(name) as Gauge<L> | undefined;
    if (existing) return existing;
    return new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      ...(collect ? { collect(this: Gauge<L>) { return collect(this); } } : {}),
    });
  }

  histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L> {
    return (this.registry.getSingleMetric(name) as Histogram<L> | undefined) ?? new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  /** Prometheus text exposition 0.0.4 of this application's figures. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** NATS request latency per subject (`RpcClient`), bound per subject on first use. */
  natsRequestLatency(subject: string): Histogram.Internal<'subject'> {
    let child = this.latencyChildren.get(subject);
    if (!child) {
      child = this.histogram('roomkey_nats_request_duration_seconds', 'Time for a NATS request to be answered (retries included), by subject.', ['subject'], LATENCY_BUCKETS).labels(subject);
      this.latencyChildren.set(subject, child);
    }
    return child;
  }

  private readonly latencyChildren = new Map<string, Histogram.Internal<'subject'>>();

  // The families recorded on hot paths, defined here once (each appears where it is used).
  private issued?: CounterFamily<string, string>;
  private verified?: CounterFamily<TokenVerificationResult>;
  private authFailures?: CounterFamily<AuthenticationScope, string>;
  private limited?: CounterFamily<string>;

  /** One access token signed (the issuer's one token builder). */
  tokenIssued(kind: string, grant: string): void {
    (this.issued ??= this.family('roomkey_tokens_issued_total', 'Access tokens signed, by token kind and by the grant or route that asked.', ['kind', 'grant'])).inc(kind, grant);
  }

  /** One access token checked by the issuer's verifier. */
  tokenVerified(result: TokenVerificationResult): void {
    (this.verified ??= this.family('roomkey_token_verifications_total', 'Access tokens verified by the issuer, by result (valid, invalid, revoked).', ['result'])).inc(result);
  }

  /** A failed authentication (a 401, or the 429 it became), by what authenticated and why it failed. */
  authenticationFailed(scope: AuthenticationScope, reason: string): void {
    (this.authFailures ??= this.family('roomkey_authentication_failures_total', 'Failed authentications, by credential kind and reason.', ['scope', 'reason'])).inc(scope, reason);
  }

  /** A request answered 429, by the limit it reached. */
  rateLimited(limit: string): void {
    (this.limited ??= this.family('roomkey_rate_limited_total', 'Requests refused with 429 Too Many Requests, by the limit reached.', ['limit'])).inc(limit);
  }

  /** Event publications that failed after every retry (`JetStreamEventSink`), by event type. */
  eventPublishFailed(type: string): void {
    this.publishFailures().labels(type).inc();
  }

  private publishFailures(): Counter<'type'> {
    return this.counter('roomkey_event_publish_failures_total', 'Events that could not be published on JetStream after every retry, by event type.', ['type']);
  }

  private static readonly byConnection = new WeakMap<NatsConnection, ServiceMetrics>();

  /**
   * Where classes record when no service metrics are provided (unit tests building them alone):
   * counted, never exposed.
   */
  static readonly detached = new ServiceMetrics('gateway', 'detached');

  /** Makes these the metrics of whatever uses `connection` (its RpcClient, its event sink). */
  attach(connection: NatsConnection): void {
    ServiceMetrics.byConnection.set(connection, this);
  }

  /** The metrics of the application owning `connection`; undefined in tests without them. */
  static of(connection: NatsConnection): ServiceMetrics | undefined {
    return ServiceMetrics.byConnection.get(connection);
  }
}

/**
 * A counter family whose children are bound once per label-value pair: `inc(a, b)` is two Map
 * lookups and an add, no label object and no hashing of label sets per call.
 */
export class CounterFamily<A extends string, B extends string = never> {
  private readonly children = new Map<string, Map<string, Counter.Internal>>();

  constructor(
    private readonly counter: Counter<string>,
    private readonly arity: 1 | 2,
  ) {}

  inc(a: A, ...rest: [B] extends [never] ? [] : [b: B]): void {
    const b: string = rest[0] ?? '';
    let byA = this.children.get(a);
    if (!byA) this.children.set(a, (byA = new Map()));
    let child = byA.get(b);
    if (!child) {
      child = this.arity === 1 ? this.counter.labels(a) : this.counter.labels(a, b);
      byA.set(b, child);
    }
    child.inc();
  }
}

/** The process figures the gateway always had (CPU, resident memory, start time), per service. */
function registerProcessMetrics(registry: Registry): void {
  let reportedCpu = 0;
  new Counter({
    name: 'process_cpu_seconds_total',
    help: 'CPU time (user and system) of the process, in seconds.',
    registers: [registry],
    collect(this: Counter) {
      const { user, system } = process.cpuUsage();
      const total = (user + system) / 1e6;
      if (total > reportedCpu) this.inc(total - reportedCpu);
      reportedCpu = Math.max(reportedCpu, total);
    },
  });
  new Gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory of the process, in bytes.',
    registers: [registry],
    collect(this: Gauge) {
      this.set(process.memoryUsage.rss());
    },
  });
  const startedAt = Math.round(Date.now() / 1000 - process.uptime());
  new Gauge({
    name: 'process_start_time_seconds',
    help: 'Start time of the process since the Unix epoch, in seconds.',
    registers: [registry],
    collect(this: Gauge) {
      this.set(startedAt);
    },
  });
}

/**
 * Merges text expositions (0.0.4) into one: each family once, with its HELP and TYPE from the first
 * exposition that has it and the samples of all of them. prom-client writes HELP and TYPE before a
 * family's samples, so a sample belongs to the family declared last. A family whose TYPE differs
 * from the first one seen (two versions side by side) keeps the first version's samples only.
 */
export function mergeExpositions(texts: readonly string[]): string {
  const families = new Map<string, { help?: string; type?: string; samples: string[] }>();
  for (const text of texts) {
    let current: { help?: string; type?: string; samples: string[] } | undefined;
    let skip = false;
    const family = (name: string) => {
      let found = families.get(name);
      if (!found) families.set(name, (found = { samples: [] }));
      return found;
    };
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (meta) {
        const [, kind, name, rest = ''] = meta;
        current = family(name);
        if (kind === 'HELP') {
          current.help ??= rest;
        } else {
          current.type ??= rest;
          skip = current.type !== rest;
        }
        continue;
      }
      if (line.startsWith('#')) continue;
      if (!current) current = family(/^[^{\s]+/.exec(line)![0]);
      if (!skip) current.samples.push(line);
    }
  }
  const out: string[] = [];
  for (const [name, { help, type, samples }] of families) {
    if (help !== undefined) out.push(`# HELP ${name} ${help}`);
    if (type !== undefined) out.push(`# TYPE ${name} ${type}`);
    out.push(...samples);
  }
  return `${out.join('\n')}\n`;
}

/** Answers the collect subject with this replica's figures (every replica: no queue group). */
@Injectable()
export class MetricsResponder implements OnModuleInit, OnApplicationShutdown {
  private subscription: Subscription | undefined;

  constructor(
    private readonly metrics: ServiceMetrics,
    @Inject(NATS_CONNECTION) private readonly connection: NatsConnection,
    @Inject(NAMESPACE) private readonly namespace: Namespace,
  ) {}

  onModuleInit(): void {
    this.metrics.attach(this.connection);
    this.subscription = this.connection.subscribe(this.namespace.subject(MetricsCollectRoute.subject), {
      callback: (error, message) => {
        if (!error) void this.answer(message);
      },
    });
  }

  private async answer(message: Msg): Promise<void> {
    const replyHeaders = headers();
    replyHeaders.set(METRICS_INSTANCE_HEADER, this.metrics.instance);
    try {
      message.respond(await this.metrics.text(), { headers: replyHeaders });
    } catch {
      // The connection closed meanwhile: the gateway gets this replica's figures next time.
    }
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }
}

/**
 * Every service's metrics: import `MetricsModule.forService(name)` beside the service's infra
 * module (which provides NATS_CONNECTION and NAMESPACE). Provides `ServiceMetrics`.
 */
@Global()
@Module({})
export class MetricsModule {
  static forService(service: MetricsServiceName): DynamicModule {
    return {
      module: MetricsModule,
      providers: [{ provide: ServiceMetrics, useFactory: () => new ServiceMetrics(service) }, MetricsResponder],
      exports: [ServiceMetrics],
    };
  }
}

/** Asks every replica for its figures (bounded wait) and merges them with `own`. */
export async function collectMetrics(connection: NatsConnection, namespace: Namespace, own: ServiceMetrics, waitMs = METRICS_COLLECT_WAIT_MS): Promise<string> {
  const texts = [await own.text()];
  if (!connection.isClosed()) {
    try {
      const replies = await connection.requestMany(namespace.subject(MetricsCollectRoute.subject), undefined, { strategy: 'timer', maxWait: waitMs });
      for await (const reply of replies) {
        if (reply.headers?.get(METRICS_INSTANCE_HEADER) === own.instance) continue;
        texts.push(reply.string());
      }
    } catch {
      // NATS away: the gateway's own figures still answer.
    }
  }
  return mergeExpositions(texts);
}
