/**
 * OpenTelemetry traces (contract §6): with OTEL_EXPORTER_OTLP_ENDPOINT set, each service has its own
 * tracer provider (resource `service.name` = `roomkey-<service>`) exporting over OTLP/HTTP (JSON) to
 * `<endpoint>/v1/traces`; spans are the gateway's HTTP request, each NATS request (RpcClient) and
 * each handler (the NATS transport), linked by W3C `traceparent`/`tracestate` NATS headers.
 *
 * Unset, `startTracing` returns undefined and nothing of OpenTelemetry is even loaded: the callers
 * test one `undefined` (the request context's span, or the transport's tracing) and do nothing
 * else. The SDK is required lazily for that reason, and the global OpenTelemetry API (context
 * manager, global provider) is not used: several services may share a process (tests), each with
 * its own resource. The current span travels in the request context (request-context.ts), passed
 * explicitly like the request id: no AsyncLocalStorage, traced or not.
 */
import type { Attributes, Context, Span, SpanContext } from '@opentelemetry/api';
import type { TracerProvider } from '@opentelemetry/sdk-trace';
import { randomUUID } from 'node:crypto';

export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

/** A remote parent as W3C Trace Context names it (HTTP or NATS headers, a batch item). */
export interface TraceHeaders {
  traceparent?: string;
  tracestate?: string;
}

export type SpanKindName = 'server' | 'client';

export interface Tracing {
  /** `roomkey-<service>`: the resource's `service.name`. */
  readonly serviceName: string;
  /**
   * A span started now, child of a span of this service or of the remote parent W3C headers name
   * (a malformed or absent `traceparent`: a new trace). `links`: spans it relates to but is not a
   * child of (a batch item and its batch).
   */
  startSpan(name: string, kind: SpanKindName, parent: TraceSpan | TraceHeaders | undefined, attributes?: Attributes, links?: readonly TraceSpan[]): TraceSpan;
  /** Sends every ended span now. */
  forceFlush(): Promise<void>;
  /** Sends every ended span, then stops exporting. */
  shutdown(): Promise<void>;
}

/** A started span and what to send onward so that the next service's spans are its children. */
export interface TraceSpan {
  readonly tracing: Tracing;
  readonly span: Span;
  /** `traceparent` and (when there is one) `tracestate` naming this span as parent. */
  headers(): TraceHeaders;
  setAttribute(key: string, value: string | number | boolean): void;
  /** Marks the span failed (status ERROR) with a short reason: an error code, never a secret. */
  fail(reason: string): void;
  /** Ends the span; later calls do nothing. */
  end(): void;
}

export interface TracingOptions {
  /** OTEL_EXPORTER_OTLP_ENDPOINT (validated by libs/config); undefined: no tracing. */
  endpoint: string | undefined;
  service: string;
  /** The deployment's namespace, as `service.namespace`. */
  namespace?: string;
}

const live = new Set<Tracing>();

/** A service's tracing, or undefined (and nothing loaded) when no endpoint is configured. */
export function startTracing(options: TracingOptions): Tracing | undefined {
  if (options.endpoint === undefined || options.endpoint === '') return undefined;
  const tracing = new OtlpTracing(options as TracingOptions & { endpoint: string });
  live.add(tracing);
  return tracing;
}

/** Sends the spans of every tracing started in this process (tests read the receiver after it). */
export async function flushTracing(): Promise<void> {
  await Promise.all([...live].map((tracing) => tracing.forceFlush()));
}

/** On stop (SIGTERM): flushes and stops every tracing started in this process. */
export async function shutdownTracing(): Promise<void> {
  const all = [...live];
  live.clear();
  await Promise.all(all.map((tracing) => tracing.shutdown().catch(() => undefined)));
}

/** `<endpoint>/v1/traces`, as OTEL_EXPORTER_OTLP_ENDPOINT is defined (a base URL for all signals). */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

type Api = typeof import('@opentelemetry/api');
type Core = typeof import('@opentelemetry/core');

class OtlpTracing implements Tracing {
  readonly serviceName: string;
  private readonly api: Api;
  private readonly core: Core;
  private readonly provider: TracerProvider;
  private readonly tracer: ReturnType<TracerProvider['getTracer']>;

  constructor(options: TracingOptions & { endpoint: string }) {
    // Loaded here, not at the top: a deployment without tracing never loads OpenTelemetry.
    /* eslint-disable @typescript-eslint/no-require-imports */
    this.api = require('@opentelemetry/api') as Api;
    this.core = require('@opentelemetry/core') as Core;
    const { TracerProvider: Provider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
    const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
    /* eslint-enable @typescript-eslint/no-require-imports */
    this.serviceName = `roomkey-${options.service}`;
    const resource = resourceFromAttributes({
      'service.name': this.serviceName,
      'service.instance.id': randomUUID(),
      ...(options.namespace === undefined ? {} : { 'service.namespace': options.namespace }),
    });
    const exporter = new OTLPTraceExporter({ url: tracesUrl(options.endpoint) });
    this.provider = new Provider({ resource, spanProcessors: [new BatchSpanProcessor({ exporter })] });
    this.tracer = this.provider.getTracer('roomkey');
  }

  startSpan(name: string, kind: SpanKindName, parent: TraceSpan | TraceHeaders | undefined, attributes?: Attributes, links?: readonly TraceSpan[]): TraceSpan {
    const span = this.tracer.startSpan(
      name,
      {
        kind: kind === 'server' ? this.api.SpanKind.SERVER : this.api.SpanKind.CLIENT,
        attributes,
        links: links?.map((link) => ({ context: link.span.spanContext() })),
      },
      this.parentContext(parent),
    );
    return new OtelSpan(this, span, this.api);
  }

  private parentContext(parent: TraceSpan | TraceHeaders | undefined): Context {
    const root = this.api.ROOT_CONTEXT;
    if (parent === undefined) return root;
    if ('span' in parent) return this.api.trace.setSpan(root, parent.span);
    const remote: SpanContext | null = typeof parent.traceparent === 'string' ? this.core.parseTraceParent(parent.traceparent) : null;
    if (remote === null) return root;
    remote.isRemote = true;
    if (typeof parent.tracestate === 'string' && parent.tracestate !== '') remote.traceState = new this.core.TraceState(parent.tracestate);
    return this.api.trace.setSpanContext(root, remote);
  }

  forceFlush(): Promise<void> {
    return this.provider.forceFlush();
  }

  shutdown(): Promise<void> {
    live.delete(this);
    return this.provider.shutdown();
  }
}

class OtelSpan implements TraceSpan {
  private ended = false;

  constructor(
    readonly tracing: Tracing,
    readonly span: Span,
    private readonly api: Api,
  ) {}

  headers(): TraceHeaders {
    const context = this.span.spanContext();
    const traceparent = `00-${context.traceId}-${context.spanId}-0${(context.traceFlags & 1).toString(16)}`;
    const tracestate = context.traceState?.serialize();
    return tracestate ? { traceparent, tracestate } : { traceparent };
  }

  setAttribute(key: string, value: string | number | boolean): void {
    this.span.setAttribute(key, value);
  }

  fail(reason: string): void {
    this.span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: reason });
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.span.end();
  }
}

/** Wire error codes that are the server's fault (the rest are the caller's: the span is not failed). */
const SERVER_FAULTS: ReadonlySet<string> = new Set(['internal_error', 'unavailable']);

/** How a request ended badly: `roomkey.error` = its wire code; a server fault also fails the span. */
export function recordFailure(span: TraceSpan, code: string): void {
  span.setAttribute('roomkey.error', code);
  if (SERVER_FAULTS.has(code)) span.fail(code);
}

/**
 * One item of a batch message (IssuerBatchRoute) in a server span of its own caller's trace (the
 * item's `traceparent`), linked to the batch's span, handed to `run` (the parent of its RPCs).
 */
export function traceBatchItem(batch: TraceSpan, subject: string, parent: { traceparent?: unknown; tracestate?: unknown }, run: (span: TraceSpan) => Promise<object>): Promise<object> {
  const headers: TraceHeaders = {
    traceparent: typeof parent.traceparent === 'string' ? parent.traceparent : undefined,
    tracestate: typeof parent.tracestate === 'string' ? parent.tracestate : undefined,
  };
  const span = batch.tracing.startSpan(subject, 'server', headers, { 'messaging.system': 'nats', 'messaging.operation.type': 'process', 'messaging.destination.name': subject, 'roomkey.batched': true }, [batch]);
  return run(span).then((answer) => {
    const error = (answer as { ok?: unknown; error?: unknown }).ok === false ? (answer as { error?: unknown }).error : undefined;
    if (typeof error === 'string') recordFailure(span, error);
    span.end();
    return answer;
  });
}
