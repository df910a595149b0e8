import type { Logger } from 'pino';
import { serveMetrics, type MetricsListener } from './serve.js';

export interface ClusterMetricsOptions {
  readonly port: number;
  readonly host?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly log: Logger;
  /** Each ready worker's metrics as prom-client JSON; a worker that does not answer in time is left out. */
  gather(): Promise<unknown[][]>;
  /** How many workers serve now. */
  readyWorkers(): number;
}

export interface ClusterMetrics extends MetricsListener {
  /** Counts a worker replaced, by why: crash, killed, start-failure, exited, reload, memory. */
  countRestart(cause: string): void;
}

const CAUSES = ['crash', 'killed', 'start-failure', 'exited', 'reload', 'memory'];

/**
 * The primary's `/metrics`: every worker's metrics summed by prom-client's AggregatorRegistry (series that differ
 * by `pid` stay apart, so memory and event-loop lag remain per worker), plus the primary's own —
 * `maru_worker_restarts_total{cause}` and `maru_workers_ready`.
 *
 * The workers are asked over maru's own IPC messages rather than AggregatorRegistry.clusterMetrics(): that one
 * asks every connected worker and fails the whole scrape after 5 s when one does not answer — which a worker
 * still starting or just killed never does.
 *
 * @example
 * const metrics = await serveClusterMetrics({ port: 9464, log, gather: askEveryWorker, readyWorkers: () => 4 });
 * metrics.countRestart('crash');
 */
export async function serveClusterMetrics({ port, host, labels = {}, log, gather, readyWorkers }: ClusterMetricsOptions): Promise<ClusterMetrics> {
  const { AggregatorRegistry, Counter, Gauge, Registry } = await import('prom-client');
  const own = new Registry();
  own.setDefaultLabels(labels);
  const restarts = new Counter({ name: 'maru_worker_restarts_total', help: 'Workers replaced, by cause.', labelNames: ['cause'], registers: [own] });
  for (const cause of CAUSES) restarts.inc({ cause }, 0);
  new Gauge({ name: 'maru_workers_ready', help: 'Workers serving requests now.', registers: [own], collect() {
    this.set(readyWorkers());
  } });
  const listener = await serveMetrics(
    {
      contentType: own.contentType,
      async text() {
        const [workers, primary] = await Promise.all([gather(), own.getMetricsAsJSON()]);
        return AggregatorRegistry.aggregate([...workers, primary]).metrics();
      },
    },
    { port, log, ...(host === undefined ? {} : { host }) },
  );
  return { ...listener, countRestart: (cause) => restarts.inc({ cause }) };
}
