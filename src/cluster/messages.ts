/**
 * What the primary and its workers say to each other over the cluster's IPC channel. Every message carries a
 * `maru` field, so they are told apart from node:cluster's own messages and from anyone else's on the channel.
 */
export type ToWorker =
  /** Stop gracefully: stop accepting, finish what is in flight, exit 0. */
  | { readonly maru: 'drain' }
  /** Run the lifecycle's reload hooks (re-read certificates). */
  | { readonly maru: 'reload' }
  /** Answer with `rss` (the memory guard asks). */
  | { readonly maru: 'rss?' }
  /** Answer with `metrics` (the primary's `/metrics` asks). */
  | { readonly maru: 'metrics?'; readonly id: number };

export type FromWorker =
  /** The worker's lifecycle is ready: storage open, listening. */
  | { readonly maru: 'ready' }
  /** The worker began to stop, and why (its last error, when it failed to start). */
  | { readonly maru: 'stopping'; readonly cause: string; readonly exitCode: number; readonly detail?: string }
  /** The worker cannot run in a cluster at all (a process-local session store): the primary gives up at once. */
  | { readonly maru: 'refused'; readonly reason: string }
  | { readonly maru: 'rss'; readonly bytes: number }
  /** The worker's metrics as prom-client's `getMetricsAsJSON()`, for the primary to aggregate. */
  | { readonly maru: 'metrics'; readonly id: number; readonly metrics: readonly unknown[] };

const TO_WORKER = new Set(['drain', 'reload', 'rss?', 'metrics?']);
const FROM_WORKER = new Set(['ready', 'stopping', 'refused', 'rss', 'metrics']);

/**
 * True for a message the primary sent to a worker.
 *
 * @example
 * process.on('message', (message) => { if (isToWorker(message) && message.maru === 'drain') void lifecycle.stop(reason); });
 */
export function isToWorker(message: unknown): message is ToWorker {
  return typeof message === 'object' && message !== null && TO_WORKER.has((message as { maru?: unknown }).maru as string);
}

/**
 * True for a message a worker sent to the primary.
 *
 * @example
 * worker.on('message', (message) => { if (isFromWorker(message) && message.maru === 'ready') onReady(); });
 */
export function isFromWorker(message: unknown): message is FromWorker {
  return typeof message === 'object' && message !== null && FROM_WORKER.has((message as { maru?: unknown }).maru as string);
}
