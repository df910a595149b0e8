import type { Cluster as NodeCluster } from 'node:cluster';
import type { Logger } from 'pino';
import { EXIT, type Lifecycle } from '../lifecycle/lifecycle.js';
import { trackMember, type Member } from './members.js';
import type { FromWorker } from './messages.js';
import { exitCause, planRestart, resolveRestartPolicy, startFailureWindow, type RestartPolicy } from './restart-policy.js';

/**
 * The options of `runCluster()`.
 *
 * @example
 * await runCluster(lifecycle, {
 *   log,
 *   workers: 4,
 *   restart: { startFailureLimit: 3 },
 *   maxWorkerRss: 512 * 1024 * 1024,
 *   metrics: { port: 9464, labels: { instance: 'web-1' } },
 * });
 */
export interface ClusterOptions {
  readonly log: Logger;
  /** How many workers; each runs the same script and shares the listeners. */
  readonly workers: number;
  /** The workers' script and arguments; by default this process's own (node:cluster's default). */
  readonly exec?: string;
  readonly args?: readonly string[];
  /** When to replace a worker that left, and when to give up; see `RestartPolicy`. */
  readonly restart?: Partial<RestartPolicy>;
  /** How long a new worker may take to report ready before it counts as failed to start, ms. Default 60 s. */
  readonly readyTimeout?: number;
  /** How long the workers may take to drain when the cluster stops, ms; then they are killed. Default 20 s. */
  readonly stopTimeout?: number;
  /** Memory guard: a worker whose RSS is above this many bytes is replaced gracefully. Off by default. */
  readonly maxWorkerRss?: number;
  /** How often the memory guard asks the workers, ms. Default 10 s. */
  readonly memoryCheckInterval?: number;
  /**
   * `/metrics` on this port of `host` (127.0.0.1 by default), aggregated over all workers (each worker passes its
   * metrics to `joinCluster`); `labels` are added to every series (e.g. `{ instance: 'web-1' }`).
   */
  readonly metrics?: { readonly port: number; readonly host?: string; readonly labels?: Readonly<Record<string, string>> };
}

/**
 * One worker as `RunningCluster.workers()` lists it: node:cluster's id, its process id, the slot it fills (0 …
 * workers − 1; a replacement takes the slot of the worker it replaces) and whether it has reported ready.
 *
 * @example
 * cluster.workers(); // [{ id: 1, pid: 4101, slot: 0, ready: true }, { id: 3, pid: 4177, slot: 1, ready: false }]
 */
export interface WorkerInfo {
  readonly id: number;
  readonly pid: number;
  readonly slot: number;
  readonly ready: boolean;
}

/**
 * What `runCluster()` resolves to in the primary.
 *
 * @example
 * const cluster = await runCluster(lifecycle, { log, workers: 2 });
 * if (!(await cluster.reload())) log.warn('a new worker could not start; the old ones keep serving');
 */
export interface RunningCluster {
  /** The workers now running (a draining one included until it exits). */
  workers(): readonly WorkerInfo[];
  /**
   * Rolling restart (what SIGHUP does through the lifecycle). Resolves false when a new worker could not start:
   * the restart stops there and the workers not yet replaced keep running.
   */
  reload(): Promise<boolean>;
  /** Where `/metrics` is served, when asked for. */
  readonly metricsUrl: string | undefined;
}

interface Slot {
  current: Member | undefined;
  /** Failures in a row (see planRestart). */
  failures: number;
  /** A restart waiting for its delay. */
  timer: NodeJS.Timeout | undefined;
}

/**
 * The primary of a cluster: forks `workers` processes that share the listeners (node:cluster round-robin, so
 * HTTP, HTTPS and HTTP/2 alike), serves no request itself, and keeps them running:
 *
 * - a worker that crashes is replaced, after a delay that doubles with each failure in a row (100 ms … 15 s, see
 *   `planRestart`); workers that keep failing at start-up make the primary stop with their last error instead of
 *   forking forever (a configuration error, exit code 2, or a refused MemoryStore, at once);
 * - `lifecycle.reload()` (SIGHUP) re-reads every worker's certificates, then replaces the workers one at a time:
 *   each new one reports ready before the old one drains, so no request fails, and a new one that cannot start
 *   leaves the old ones serving;
 * - `lifecycle.stop()` (SIGTERM, SIGINT) drains every worker and kills those still running after `stopTimeout`;
 * - optionally, a memory guard and an aggregated `/metrics` (prom-client is loaded only then).
 *
 * The lifecycle is the primary's own: it becomes ready when every worker is, and its `done` gives the exit code.
 *
 * @example
 * const lifecycle = createLifecycle({ log, stopTimeout: 30_000 });
 * handleProcessEvents(lifecycle, { log });
 * await runCluster(lifecycle, { log, workers: 4 });
 * process.exit(await lifecycle.done);
 */
export async function runCluster(lifecycle: Lifecycle, options: ClusterOptions): Promise<RunningCluster> {
  const settings = resolveOptions(options);
  const { log, policy } = settings;
  const { default: cluster } = await import('node:cluster');
  if (!cluster.isPrimary) throw new Error('runCluster() runs in the primary process; workers call joinCluster()');
  setUp(cluster, options);

  const slots: Slot[] = Array.from({ length: settings.workers }, () => ({ current: undefined, failures: 0, timer: undefined }));
  const members = new Set<Member>();
  const startFailures = startFailureWindow(policy.startFailureLimit, policy.startFailureWindow);
  let stopping = false;
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  const metrics =
    settings.metrics === undefined
      ? undefined
      : await (await import('../metrics/primary.js')).serveClusterMetrics({
          ...settings.metrics,
          log,
          gather: () => gatherMetrics([...members]),
          readyWorkers: () => [...members].filter((m) => m.readyAt !== undefined && m.leaving === undefined).length,
        });
  if (metrics !== undefined) lifecycle.onStop(() => metrics.close());

  function fork(slot: number): Member {
    const member = trackMember(cluster.fork(), slot, { onReady, onMessage, onExit });
    members.add(member);
    log.info({ worker: member.id, workerPid: member.pid, slot }, 'worker started');
    const timer = setTimeout(() => {
      if (member.alive && member.readyAt === undefined && !stopping) {
        log.error({ worker: member.id, workerPid: member.pid, readyTimeout: settings.readyTimeout }, 'worker not ready in time: stopping it');
        member.worker.process.kill('SIGTERM');
      }
    }, settings.readyTimeout);
    void member.exited.then(() => clearTimeout(timer));
    return member;
  }

  function onReady(member: Member): void {
    log.info({ worker: member.id, workerPid: member.pid, slot: member.slot, startMs: member.readyAt! - member.forkedAt }, 'worker ready');
    if (lifecycle.state === 'starting' && slots.every((s) => s.current?.readyAt !== undefined)) {
      lifecycle.ready();
      log.info({ workerPids: slots.map((s) => s.current!.pid) }, `cluster ready: ${slots.length} workers`);
    }
  }

  function onMessage(_member: Member, message: FromWorker): void {
    if (message.maru === 'refused') giveUp(message.reason, EXIT.usage);
  }

  function onExit(member: Member, code: number | null, signal: string | null): void {
    members.delete(member);
    const slot = slots[member.slot]!;
    const wasReady = member.readyAt !== undefined;
    const cause = exitCause({ planned: member.leaving !== undefined || stopping, wasReady, code, signal });
    const facts = { worker: member.id, workerPid: member.pid, code, signal, planned: cause === 'planned' };
    if (cause === 'planned') {
      log.info({ ...facts, cause: member.leaving ?? 'stop' }, 'worker exited');
      return;
    }
    const reason = member.lastWords?.detail;
    log.warn({ ...facts, cause, ...(reason === undefined ? {} : { reason }) }, 'worker exited');
    // A replacement that failed during a rolling restart: the old worker still serves; reload() reports it.
    if (slot.current !== member) return;
    slot.current = undefined;
    if (cause === 'start-failure') {
      const why = reason ?? (signal === null ? `a worker exited with code ${code} before it was ready` : `a worker was killed by ${signal} before it was ready`);
      // Exit code 2 is a configuration error: retrying cannot fix it.
      if (code === EXIT.usage) return giveUp(why, EXIT.usage);
      if (signal !== 'SIGKILL' && startFailures.add(Date.now())) {
        return giveUp(`workers keep failing to start (${policy.startFailureLimit} times within ${policy.startFailureWindow / 1000} s): ${why}`, EXIT.failed);
      }
    }
    const plan = planRestart(cause, { failures: slot.failures, readyForMs: wasReady ? Date.now() - member.readyAt! : 0 }, policy);
    slot.failures = plan.failures;
    metrics?.countRestart(cause);
    log.info({ slot: member.slot, delayMs: plan.delay, failures: plan.failures }, `replacing the worker in ${plan.delay} ms`);
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      if (!stopping && slot.current === undefined) slot.current = fork(member.slot);
    }, plan.delay);
  }

  function giveUp(why: string, exitCode: number): void {
    if (stopping) return;
    log.fatal({ reason: why }, 'giving up: stopping the cluster');
    void lifecycle.stop({ cause: 'start-failed', exitCode, detail: why });
  }

  /**
   * Brings up a new worker for `old`'s slot, and once it is ready drains `old`: `replaced`, `failed` when the new
   * one did not start (the old one keeps serving), `skipped` when `old` was no longer the slot's worker.
   */
  async function replace(old: Member, cause: 'reload' | 'memory'): Promise<'replaced' | 'failed' | 'skipped'> {
    const slot = slots[old.slot]!;
    if (stopping || slot.current !== old || old.leaving !== undefined) return 'skipped';
    const fresh = fork(old.slot);
    const ready = await fresh.ready;
    if (stopping) return 'skipped';
    if (!ready) {
      log.error({ worker: fresh.id, workerPid: fresh.pid, reason: fresh.lastWords?.detail }, `${cause}: the new worker did not start; the old one keeps serving`);
      return 'failed';
    }
    if (slot.current === old) {
      old.leaving = cause;
      slot.current = fresh;
      metrics?.countRestart(cause);
      old.tell({ maru: 'drain' });
      await exitWithin(old, settings.stopTimeout);
    } else if (slot.current === undefined) {
      // The old worker died while its replacement started: the replacement takes its place.
      clearTimeout(slot.timer);
      slot.current = fresh;
    } else {
      fresh.leaving = cause;
      fresh.tell({ maru: 'drain' });
    }
    return 'replaced';
  }

  async function rollingRestart(): Promise<boolean> {
    log.info({ workers: slots.length }, 'reload: replacing the workers one at a time');
    let replaced = 0;
    for (const slot of slots) {
      if (stopping) return false;
      // A worker still starting (a crash's replacement) runs the new code already.
      const old = slot.current;
      if (old === undefined || old.readyAt === undefined) continue;
      const outcome = await replace(old, 'reload');
      // New code that cannot start must not take down the workers that still run the old one.
      if (outcome === 'failed') {
        log.error({ replaced }, 'reload stopped: the workers not yet replaced keep running');
        return false;
      }
      if (outcome === 'replaced') replaced++;
    }
    log.info({ replaced, workerPids: slots.map((s) => s.current?.pid) }, 'reload done');
    return true;
  }

  let reloadQueued: Promise<boolean> | undefined;
  function reload(): Promise<boolean> {
    if (stopping) return Promise.resolve(false);
    // SIGHUPs that arrive while a reload waits to start join it rather than queueing one each.
    reloadQueued ??= serially(() => {
      reloadQueued = undefined;
      return rollingRestart();
    });
    return reloadQueued;
  }

  async function stopAll(): Promise<void> {
    stopping = true;
    for (const slot of slots) clearTimeout(slot.timer);
    const running = [...members];
    log.info({ workerPids: running.map((m) => m.pid) }, 'stopping: draining every worker');
    for (const member of running) {
      member.leaving ??= 'stop';
      // A worker still starting may not listen for messages yet; a signal reaches it either way.
      if (member.readyAt === undefined) member.worker.process.kill('SIGTERM');
      else member.tell({ maru: 'drain' });
    }
    const results = await Promise.all(running.map((member) => exitWithin(member, settings.stopTimeout)));
    // A worker stopped by SIGTERM while it was starting had nothing to drain; any other way out is a failure.
    const failed = results.filter((r) => r.code !== 0 && r.signal !== 'SIGTERM');
    if (failed.length > 0) throw new Error(`${failed.length} worker(s) did not stop cleanly: ${failed.map((r) => `${r.pid} (${r.signal ?? r.code})`).join(', ')}`);
  }

  async function exitWithin(member: Member, ms: number): Promise<{ pid: number; code: number | null; signal: string | null }> {
    const timer = setTimeout(() => {
      log.error({ worker: member.id, workerPid: member.pid, stopTimeout: ms }, 'worker did not drain in time: killing it');
      member.worker.process.kill('SIGKILL');
    }, ms);
    const { code, signal } = await member.exited;
    clearTimeout(timer);
    return { pid: member.pid, code, signal };
  }

  async function gatherMetrics(from: readonly Member[]): Promise<unknown[][]> {
    const id = nextQuestion++;
    const answers = await Promise.all(
      from.filter((m) => m.readyAt !== undefined).map((m) => m.ask({ maru: 'metrics?', id }, 'metrics', 2_000, id)),
    );
    return answers.flatMap((answer) => (answer === undefined ? [] : [[...answer.metrics]]));
  }
  let nextQuestion = 0;

  if (settings.maxWorkerRss !== undefined) {
    const limit = settings.maxWorkerRss;
    let checking = false;
    const guard = setInterval(async () => {
      // One check at a time: a slow answer must not pile checks up.
      if (checking) return;
      checking = true;
      for (const member of [...members]) {
        if (member.readyAt === undefined || member.leaving !== undefined) continue;
        const answer = await member.ask({ maru: 'rss?' }, 'rss', 2_000);
        if (answer === undefined || answer.bytes <= limit || stopping) continue;
        log.warn({ worker: member.id, workerPid: member.pid, rssMb: Math.round(answer.bytes / 2 ** 20), maxMb: Math.round(limit / 2 ** 20) }, 'worker over the memory limit: replacing it');
        void serially(() => replace(member, 'memory'));
      }
      checking = false;
    }, settings.memoryCheckInterval);
    guard.unref();
    lifecycle.onStop(() => clearInterval(guard));
  }

  lifecycle.onStop(stopAll);
  lifecycle.onReload(async () => {
    for (const member of members) if (member.readyAt !== undefined && member.leaving === undefined) member.tell({ maru: 'reload' });
    await reload();
  });
  for (const [i, slot] of slots.entries()) slot.current = fork(i);

  return {
    workers: () => [...members].map((m) => ({ id: m.id, pid: m.pid, slot: m.slot, ready: m.readyAt !== undefined })),
    reload,
    metricsUrl: metrics?.url,
  };
}

function setUp(cluster: NodeCluster, { exec, args }: ClusterOptions): void {
  // Round-robin: the primary accepts and hands connections out in turn (Node's default except on Windows).
  cluster.schedulingPolicy = cluster.SCHED_RR;
  cluster.setupPrimary({ ...(exec === undefined ? {} : { exec }), ...(args === undefined ? {} : { args: [...args] }) });
}

interface Settings {
  readonly log: Logger;
  readonly workers: number;
  readonly policy: RestartPolicy;
  readonly readyTimeout: number;
  readonly stopTimeout: number;
  readonly maxWorkerRss: number | undefined;
  readonly memoryCheckInterval: number;
  readonly metrics: ClusterOptions['metrics'];
}

function resolveOptions(options: ClusterOptions): Settings {
  const { log, workers, restart, readyTimeout = 60_000, stopTimeout = 20_000, maxWorkerRss, memoryCheckInterval = 10_000, metrics } = options;
  if (!Number.isSafeInteger(workers) || workers < 1) throw new TypeError(`option workers must be a positive integer, got ${String(workers)}`);
  for (const [name, value] of Object.entries({ readyTimeout, stopTimeout, memoryCheckInterval })) {
    if (!Number.isSafeInteger(value) || value <= 0) throw new TypeError(`option ${name} must be a positive integer (ms), got ${String(value)}`);
  }
  if (maxWorkerRss !== undefined && (!Number.isSafeInteger(maxWorkerRss) || maxWorkerRss <= 0)) {
    throw new TypeError(`option maxWorkerRss must be a positive integer (bytes), got ${String(maxWorkerRss)}`);
  }
  if (metrics !== undefined && (!Number.isInteger(metrics.port) || metrics.port < 0 || metrics.port > 65535)) {
    throw new TypeError(`option metrics.port must be an integer from 0 to 65535, got ${String(metrics.port)}`);
  }
  return { log, workers, policy: resolveRestartPolicy(restart), readyTimeout, stopTimeout, maxWorkerRss, memoryCheckInterval, metrics };
}
