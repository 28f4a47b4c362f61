/**
 * Prometheus metrics of the gateway, kept in memory (no dependency): request counts by route
 * pattern (never the raw URL: bounded cardinality), a latency histogram, and process figures.
 */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

const label = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export class HttpMetrics {
  private readonly requests = new Map<string, number>();
  private readonly durations = new Map<string, Histogram>();
  private readonly startedAt = Date.now() / 1000;

  /** Called once per answered request (Fastify onResponse). */
  record(method: string, route: string, status: number, seconds: number): void {
    const key = `${method}\u0000${route}\u0000${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const histogramKey = `${method}\u0000${route}`;
    let histogram = this.durations.get(histogramKey);
    if (!histogram) {
      histogram = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.durations.set(histogramKey, histogram);
    }
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]) histogram.counts[i]++;
    histogram.sum += seconds;
    histogram.count++;
  }

  /** Prometheus text exposition format 0.0.4. */
  render(): string {
    const lines: string[] = [
      '# HELP roomkey_http_requests_total HTTP requests answered by the gateway.',
      '# TYPE roomkey_http_requests_total counter',
    ];
    for (const [key, value] of this.requests) {
      const [method, route, status] = key.split('\u0000');
      lines.push(`roomkey_http_requests_total{method="${method}",route="${label(route)}",status="${status}"} ${value}`);
    }
    lines.push('# HELP roomkey_http_request_duration_seconds Time to answer, by route.', '# TYPE roomkey_http_request_duration_seconds histogram');
    for (const [key, histogram] of this.durations) {
      const [method, route] = key.split('\u0000');
      const labels = `method="${method}",route="${label(route)}"`;
      BUCKETS.forEach((bound, i) => lines.push(`roomkey_http_request_duration_seconds_bucket{${labels},le="${bound}"} ${histogram.counts[i]}`));
      lines.push(`roomkey_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${histogram.count}`);
      lines.push(`roomkey_http_request_duration_seconds_sum{${labels}} ${histogram.sum}`);
      lines.push(`roomkey_http_request_duration_seconds_count{${labels}} ${histogram.count}`);
    }
    const cpu = process.cpuUsage();
    lines.push(
      '# HELP process_cpu_seconds_total CPU time of the gateway process.',
      '# TYPE process_cpu_seconds_total counter',
      `process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`,
      '# HELP process_resident_memory_bytes Resident memory of the gateway process.',
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${process.memoryUsage.rss()}`,
      '# HELP process_start_time_seconds Start time of the gateway process.',
      '# TYPE process_start_time_seconds gauge',
      `process_start_time_seconds ${this.startedAt}`,
    );
    return `${lines.join('\n')}\n`;
  }
}
