import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Metric, Registry } from 'prom-client';
import type { App } from '../app.js';
import { createRequestTally, type RequestTally } from './tally.js';

/**
 * The options of `createMetrics()`.
 *
 * @example
 * const metrics = await createMetrics({ labels: { instance: 'web-1' } });
 */
export interface MetricsOptions {
  /**
   * Labels added to every series, e.g. `{ instance: 'web-1' }` when several machines report to one Prometheus.
   * Names must not clash with the metrics' own labels (method, route, status, pid, le).
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * A process's metrics, as a `/metrics` listener or a cluster primary reads them.
 *
 * @example
 * const source: MetricsSource = metrics;
 * const body = await source.text(); // '# HELP http_requests_total …'
 */
export interface MetricsSource {
  /** `text/plain; version=0.0.4` — Prometheus's text format. */
  readonly contentType: string;
  /** The metrics now, in that format. */
  text(): Promise<string>;
}

/**
 * What `createMetrics()` resolves to: instrument an app, then serve or aggregate the result.
 *
 * @example
 * const metrics: Metrics = await createMetrics();
 * metrics.instrument(app);
 * await serveMetrics(metrics, { port: 9464, log: app.log });
 */
export interface Metrics extends MetricsSource {
  /**
   * Counts the app's requests once finished, by method, route pattern and status, with their latency (an
   * observer, `app.observe()`), and reads `app.inFlight` when scraped. Any time before or after `app.use()`.
   */
  instrument(app: App): void;
  /** The metrics as prom-client's JSON, for a cluster primary to aggregate (`joinCluster({ metrics })`). */
  json(): Promise<readonly unknown[]>;
}

const RESERVED_LABELS = new Set(['method', 'route', 'status', 'pid', 'le', 'quantile']);
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * This process's metrics on prom-client, loaded here and only here (it costs a quarter of a second to load, so a
 * server without metrics never loads it):
 * - `http_requests_total{method,route,status}` and `http_request_duration_seconds{method,route,status}`
 *   (histogram) — the route is the matched pattern (`/users/:id`), `unmatched` when none matched;
 * - `http_requests_in_flight`;
 * - `maru_worker_resident_memory_bytes{pid}` and `maru_worker_event_loop_lag_p99_seconds{pid}` (since the last
 *   scrape) — per worker once a cluster primary aggregates them.
 *
 * @example
 * const metrics = await createMetrics();
 * const app = createApp();
 * metrics.instrument(app);
 * await serveMetrics(metrics, { port: 9464, log: app.log });
 */
export async function createMetrics({ labels = {} }: MetricsOptions = {}): Promise<Metrics> {
  for (const name of Object.keys(labels)) {
    if (!LABEL_NAME.test(name) || name.startsWith('__') || RESERVED_LABELS.has(name)) throw new TypeError(`option labels: ${name} cannot be a label name here`);
    if (typeof labels[name] !== 'string') throw new TypeError(`option labels.${name} must be a string, got ${String(labels[name])}`);
  }
  const { Registry, Gauge } = await import('prom-client');
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  const tally = createRequestTally();
  let instrumented: App | undefined;
  for (const metric of tallyMetrics(tally)) registry.registerMetric(metric);
  new Gauge({ name: 'http_requests_in_flight', help: 'Requests being handled now.', registers: [registry], collect() {
    this.set(instrumented?.inFlight ?? 0);
  } });

  const pid = String(process.pid);
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  new Gauge({ name: 'maru_worker_resident_memory_bytes', help: 'Resident set size of each worker (or of the single process).', labelNames: ['pid'], registers: [registry], collect() {
    this.set({ pid }, process.memoryUsage.rss());
  } });
  new Gauge({ name: 'maru_worker_event_loop_lag_p99_seconds', help: "99th percentile of each worker's event loop delay since the last scrape.", labelNames: ['pid'], registers: [registry], collect() {
    // The histogram counts from its start; read and reset, it tells what happened since the previous scrape.
    this.set({ pid }, lag.count === 0 ? 0 : lag.percentile(99) / 1e9);
    lag.reset();
  } });

  return {
    contentType: registry.contentType,
    text: () => registry.metrics(),
    json: () => registry.getMetricsAsJSON(),
    instrument(app) {
      if (instrumented !== undefined) throw new Error('metrics.instrument() was already called: one app per Metrics');
      instrumented = app;
      app.observe(({ ctx, status, route, durationMs }) => tally.record(ctx.method, route, status, durationMs / 1000));
    },
  };
}

type Value = { metricName: string; labels: Record<string, string | number>; value: number };

/**
 * The tally as a prom-client counter and histogram, read when scraped. They are registered as prom-client's own
 * metric shape (name, help, type, aggregator, `get()`), so its registry formats them and its AggregatorRegistry
 * sums them over a cluster's workers like any other.
 */
function tallyMetrics(tally: RequestTally): Metric[] {
  const requests = 'http_requests_total';
  const duration = 'http_request_duration_seconds';
  const counter = {
    name: requests,
    help: 'Requests answered, by method, route pattern and status.',
    type: 'counter',
    aggregator: 'sum',
    async get() {
      const values: Value[] = tally.entries().map((e) => ({ metricName: requests, labels: { method: e.method, route: e.route, status: e.status }, value: e.count }));
      return { name: requests, help: counter.help, type: 'counter', aggregator: 'sum', values };
    },
  };
  const histogram = {
    name: duration,
    help: "Time from a request's arrival to the end of its reply, seconds.",
    type: 'histogram',
    aggregator: 'sum',
    async get() {
      const values: Value[] = [];
      for (const e of tally.entries()) {
        const labels = { method: e.method, route: e.route, status: e.status };
        let cumulative = 0;
        tally.bounds.forEach((le, i) => {
          cumulative += e.buckets[i]!;
          values.push({ metricName: `${duration}_bucket`, labels: { ...labels, le }, value: cumulative });
        });
        values.push({ metricName: `${duration}_bucket`, labels: { ...labels, le: '+Inf' }, value: e.count });
        values.push({ metricName: `${duration}_sum`, labels, value: e.sum });
        values.push({ metricName: `${duration}_count`, labels, value: e.count });
      }
      return { name: duration, help: histogram.help, type: 'histogram', aggregator: 'sum', values };
    },
  };
  // prom-client's types name only its own classes, though its registry takes any object of this shape.
  return [counter, histogram] as unknown as Metric[];
}

export type { Registry };
