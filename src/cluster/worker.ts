import type { Logger } from 'pino';
import { EXIT, type Lifecycle } from '../lifecycle/lifecycle.js';
import { isToWorker, type FromWorker } from './messages.js';
import { enterCluster } from './process-local.js';

/**
 * The options of `joinCluster()`.
 *
 * @example
 * await joinCluster(lifecycle, { log, metrics: await createMetrics() });
 */
export interface JoinClusterOptions {
  readonly log: Logger;
  /** This process's metrics (`createMetrics()`), which the primary aggregates for its `/metrics`. */
  readonly metrics?: {
    /** prom-client's JSON of this process's metrics (`Metrics.json()`). */
    json(): Promise<readonly unknown[]>;
  };
}

/**
 * This process as a worker of a cluster, as `joinCluster()` resolves to it (undefined outside a cluster).
 *
 * @example
 * const worker = await joinCluster(lifecycle, { log });
 * log.info({ worker: worker?.id ?? 'single' }, 'starting');
 */
export interface ClusterWorker {
  /** node:cluster's id of this worker: 1, 2, …; a replacement gets a new one. */
  readonly id: number;
}

/**
 * Connects a worker's lifecycle to the primary of `runCluster()`: tells it when the worker is ready (so a rolling
 * restart drains the old worker only once its replacement serves) and why it stops (its last error, printed by
 * the primary if it gives up), and lets the primary drain it, reload it (certificates) and ask for its memory and
 * metrics. Resolves to undefined outside a cluster worker, so the same start-up code serves one process and a
 * worker. Throws a TypeError when this process keeps state a cluster cannot share (a MemoryStore).
 *
 * @example
 * const lifecycle = createLifecycle({ log });
 * handleProcessEvents(lifecycle, { log });
 * await joinCluster(lifecycle, { log });
 * // … open storage, listen(), lifecycle.ready()
 */
export async function joinCluster(lifecycle: Lifecycle, { log, metrics }: JoinClusterOptions): Promise<ClusterWorker | undefined> {
  const { default: cluster } = await import('node:cluster');
  const worker = cluster.worker;
  if (!cluster.isWorker || worker === undefined) return undefined;
  const send = (message: FromWorker) => {
    // The channel closes when the primary goes away; a message that cannot be sent then has no one to read it.
    if (process.connected) process.send!(message, undefined, {}, () => {});
  };
  enterCluster((reason) => send({ maru: 'refused', reason }));

  lifecycle.onChange((state, reason) => {
    if (state === 'ready') send({ maru: 'ready' });
    else if (state === 'draining' && reason !== undefined) {
      send({ maru: 'stopping', cause: reason.cause, exitCode: reason.exitCode, ...(reason.detail === undefined ? {} : { detail: reason.detail }) });
    }
  });
  process.on('message', (message: unknown) => {
    if (!isToWorker(message)) return;
    switch (message.maru) {
      case 'drain':
        log.info('draining: asked by the primary');
        void lifecycle.stop({ cause: 'supervisor', exitCode: EXIT.ok, detail: 'asked by the primary' });
        return;
      case 'reload':
        void lifecycle.reload();
        return;
      case 'rss?':
        send({ maru: 'rss', bytes: process.memoryUsage.rss() });
        return;
      case 'metrics?': {
        const { id } = message;
        if (metrics === undefined) return send({ maru: 'metrics', id, metrics: [] });
        metrics.json().then(
          (json) => send({ maru: 'metrics', id, metrics: json }),
          (err: unknown) => {
            log.warn({ err }, 'could not collect metrics for the primary');
            send({ maru: 'metrics', id, metrics: [] });
          },
        );
      }
    }
  });
  if (lifecycle.state === 'ready') send({ maru: 'ready' });
  return { id: worker.id };
}
