/**
 * Why a worker left, as the supervisor sees it:
 * - `planned`: the primary asked it to go (a reload, the memory guard, a stop);
 * - `start-failure`: it exited before it was ready (bad configuration, a port refused, a database down);
 * - `crash`: it was ready, then exited with an error code or died of a signal (the safety net exits 70);
 * - `killed`: it was ready, then was killed by SIGKILL from outside (the OOM killer, an operator's `kill -9`);
 * - `exited`: it was ready, then exited 0 without being asked (someone sent it SIGTERM).
 *
 * @example
 * const cause: ExitCause = exitCause({ planned: false, wasReady: false, code: 2, signal: null }); // 'start-failure'
 */
export type ExitCause = 'planned' | 'start-failure' | 'crash' | 'killed' | 'exited';

export interface WorkerExit {
  /** The primary asked the worker to stop. */
  readonly planned: boolean;
  /** The worker had reported ready. */
  readonly wasReady: boolean;
  readonly code: number | null;
  readonly signal: string | null;
}

/**
 * Names the cause of a worker's exit.
 *
 * @example
 * exitCause({ planned: false, wasReady: true, code: 70, signal: null }); // 'crash'
 */
export function exitCause({ planned, wasReady, code, signal }: WorkerExit): ExitCause {
  if (planned) return 'planned';
  if (!wasReady) return 'start-failure';
  if (signal === 'SIGKILL') return 'killed';
  if (signal === null && code === 0) return 'exited';
  return 'crash';
}

/**
 * When the supervisor replaces a worker that left, and when it gives up (`ClusterOptions.restart`; what is not
 * given comes from `DEFAULT_RESTART_POLICY`).
 *
 * @example
 * await runCluster(lifecycle, { log, workers: 2, restart: { maxDelay: 5_000, startFailureLimit: 3 } });
 */
export interface RestartPolicy {
  /** Delay before the first restart after a failure, ms; it doubles with each failure in a row. Default 100. */
  readonly initialDelay: number;
  /** Longest delay, ms. Default 15 s. */
  readonly maxDelay: number;
  /** A worker ready this long (ms) is stable: the next failure starts over from `initialDelay`. Default 30 s. */
  readonly stableAfter: number;
  /** Start-up failures within `startFailureWindow` after which the primary gives up. Default 5. */
  readonly startFailureLimit: number;
  /** Default 60 s. */
  readonly startFailureWindow: number;
}

/**
 * The restart policy a cluster uses where its options are silent: 100 ms after a crash, doubling up to 15 s; a
 * worker ready for 30 s is stable; five start-up failures within 60 s stop the primary.
 *
 * @example
 * const patient = { ...DEFAULT_RESTART_POLICY, startFailureLimit: 10 };
 */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelay: 100,
  maxDelay: 15_000,
  stableAfter: 30_000,
  startFailureLimit: 5,
  startFailureWindow: 60_000,
};

export interface RestartPlan {
  /** Wait this long (ms) before forking the replacement. */
  readonly delay: number;
  /** Failures in a row of this worker's slot, counting this one. */
  readonly failures: number;
}

/**
 * When to replace a worker that left without being asked. Failures — a start-up failure or a crash — double the
 * delay each time (100 ms, 200 ms, … up to 15 s), so a worker that cannot stay up never becomes a fork storm;
 * the count starts over once a worker has been ready for `stableAfter`. A worker killed or stopped from outside
 * after it was ready did not fail on its own: it is replaced after the initial delay, without doubling (a
 * process killed every few seconds must be back at once, not after a growing pause).
 *
 * @example
 * planRestart('crash', { failures: 2, readyForMs: 5_000 }, DEFAULT_RESTART_POLICY); // { delay: 400, failures: 3 }
 */
export function planRestart(cause: Exclude<ExitCause, 'planned'>, slot: { failures: number; readyForMs: number }, policy: RestartPolicy): RestartPlan {
  const previous = slot.readyForMs >= policy.stableAfter ? 0 : slot.failures;
  if (cause === 'killed' || cause === 'exited') return { delay: policy.initialDelay, failures: previous };
  const failures = previous + 1;
  return { delay: Math.min(policy.maxDelay, policy.initialDelay * 2 ** (failures - 1)), failures };
}

/**
 * Counts start-up failures in a sliding window: `add()` returns true once `limit` of them fell within `windowMs`
 * — the worker keeps failing, and forking more would only repeat its error.
 *
 * @example
 * const failures = startFailureWindow(5, 60_000);
 * if (failures.add(Date.now())) giveUp();
 */
export function startFailureWindow(limit: number, windowMs: number): { add(now: number): boolean } {
  const times: number[] = [];
  return {
    add(now) {
      times.push(now);
      while (times.length > 0 && times[0]! <= now - windowMs) times.shift();
      return times.length >= limit;
    },
  };
}

/**
 * Fills a policy given at set-up with the defaults and checks it: every figure a positive whole number of ms (or
 * failures); throws a TypeError naming the option otherwise.
 *
 * @example
 * resolveRestartPolicy({ maxDelay: 5_000 }); // { initialDelay: 100, maxDelay: 5000, stableAfter: 30000, … }
 */
export function resolveRestartPolicy(given: Partial<RestartPolicy> = {}): RestartPolicy {
  const policy = { ...DEFAULT_RESTART_POLICY, ...given };
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isSafeInteger(value) || value <= 0) throw new TypeError(`option restart.${name} must be a positive integer, got ${String(value)}`);
  }
  if (policy.maxDelay < policy.initialDelay) throw new TypeError(`option restart.maxDelay must be at least restart.initialDelay, got ${policy.maxDelay}`);
  return policy;
}
