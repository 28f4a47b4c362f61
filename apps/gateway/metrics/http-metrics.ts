/**
 * The gateway's HTTP figures, in the gateway's prom-client registry (labels `service` and
 * `instance` added by it): request counts by route pattern (never the raw URL: bounded
 * cardinality) and a latency histogram. Children are bound once per method, route and status, so
 * recording an answer is a few Map lookups and additions.
 */
import { Injectable } from '@nestjs/common';
import { ServiceMetrics } from '@roomkey/nats';
import type { Counter, Histogram } from 'prom-client';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

type RequestLabel = 'method' | 'route' | 'status';
type DurationLabel = 'method' | 'route';

@Injectable()
export class HttpMetrics {
  private readonly requests: Counter<RequestLabel>;
  private readonly durations: Histogram<DurationLabel>;
  /** method → route → [duration child, status → counter child] */
  private readonly children = new Map<string, Map<string, { duration: Histogram.Internal<DurationLabel>; byStatus: Map<number, Counter.Internal> }>>();

  constructor(private readonly metrics: ServiceMetrics) {
    this.requests = metrics.counter('roomkey_http_requests_total', 'HTTP requests answered by the gateway.', ['method', 'route', 'status']);
    this.durations = metrics.histogram('roomkey_http_request_duration_seconds', 'Time to answer, by route.', ['method', 'route'], BUCKETS);
  }

  /** Called once per answered request (Fastify onResponse). */
  record(method: string, route: string, status: number, seconds: number): void {
    let byRoute = this.children.get(method);
    if (!byRoute) this.children.set(method, (byRoute = new Map()));
    let entry = byRoute.get(route);
    if (!entry) byRoute.set(route, (entry = { duration: this.durations.labels(method, route), byStatus: new Map() }));
    let counter = entry.byStatus.get(status);
    if (!counter) entry.byStatus.set(status, (counter = this.requests.labels(method, route, String(status))));
    counter.inc();
    entry.duration.observe(seconds);
  }

  /** This gateway's own figures (Prometheus text exposition 0.0.4). */
  render(): Promise<string> {
    return this.metrics.text();
  }
}
