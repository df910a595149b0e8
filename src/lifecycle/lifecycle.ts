import type { Logger } from 'pino';

/**
 * Where a server process is in its life: it only ever moves forward.
 *
 * @example
 * life.onChange((state) => process.send?.({ state }));
 */
export type LifecycleState = 'starting' | 'ready' | 'draining' | 'stopped';

/**
 * Why a process stops, and the exit code that says so (see `EXIT`).
 *
 * @example
 * await life.stop({ cause: 'deploy', exitCode: EXIT.ok, detail: 'version 2' });
 */
export interface StopReason {
  /** `signal`, `crash`, `supervisor`, `memory`, … — logged, and given to the supervisor. */
  readonly cause: string;
  readonly exitCode: number;
  /** e.g. the signal's name. */
  readonly detail?: string;
}

/**
 * Exit codes of a maru process: 0 stopped as asked; 1 could not start, or stopping failed or was cut short;
 * 2 bad command line or configuration; 70 stopped after an uncaught error (EX_SOFTWARE in sysexits.h), so a
 * supervisor or systemd can tell a crash from a stop.
 *
 * @example
 * process.exitCode = config.ok ? await life.done : EXIT.usage;
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, crashed: 70 } as const;

/**
 * Options of {@link createLifecycle}.
 *
 * @example
 * const life = createLifecycle({ log: app.log, stopTimeout: 20_000 });
 */
export interface LifecycleOptions {
  readonly log: Logger;
  /** Longest a stop may take, ms: hooks still running then are abandoned and the exit code is 1. Default 15 s. */
  readonly stopTimeout?: number;
}

/**
 * A process's lifecycle, as {@link createLifecycle} makes it: state, hooks, and the exit code once stopped.
 *
 * @example
 * life.onStop(() => server.close());
 * life.ready();
 * process.exitCode = await life.done;
 */
export interface Lifecycle {
  readonly state: LifecycleState;
  /** Resolves with the exit code once the process has stopped (the CLI entry then calls `process.exit`). */
  readonly done: Promise<number>;
  /** Marks the process ready (storage open, listening): `/readyz` answers 200 from now until it drains. */
  ready(): void;
  /** Cleanup run on stop, last registered first (close the listeners before the storage they use). */
  onStop(hook: () => Promise<void> | void): void;
  /** Work for a reload (e.g. re-reading certificates); a failing hook is logged and the others still run. */
  onReload(hook: () => Promise<void> | void): void;
  /** Told of every state change, e.g. to report readiness to a supervisor. */
  onChange(listener: (state: LifecycleState, reason?: StopReason) => void): void;
  /** Drains and stops: runs the stop hooks once; a second call returns the same promise. */
  stop(reason: StopReason): Promise<number>;
  /** Stops waiting for the hooks and resolves `done` with this code at once (an operator's second Ctrl-C). */
  abort(exitCode: number): void;
  /** Runs the reload hooks in order (SIGHUP does it through `handleProcessEvents`); never rejects. */
  reload(): Promise<void>;
}

/**
 * The life of a server process — starting → ready → draining → stopped — owned by the toolkit and driven by
 * whoever holds it: signals (`handleProcessEvents`), a cluster supervisor's messages, or a test. Nothing in it
 * exits the process: `done` resolves with the exit code and the CLI entry decides.
 *
 * @example
 * const life = createLifecycle({ log: app.log });
 * const server = await listen(app, { port: 8080 });
 * life.onStop(() => server.close());
 * life.ready();
 * process.exit(await life.done);
 */
export function createLifecycle({ log, stopTimeout = 15_000 }: LifecycleOptions): Lifecycle {
  if (!Number.isSafeInteger(stopTimeout) || stopTimeout <= 0) throw new TypeError(`option stopTimeout must be a positive integer (ms), got ${stopTimeout}`);
  let state: LifecycleState = 'starting';
  const stopHooks: (() => Promise<void> | void)[] = [];
  const reloadHooks: (() => Promise<void> | void)[] = [];
  const listeners: ((state: LifecycleState, reason?: StopReason) => void)[] = [];
  let stopping: Promise<number> | undefined;
  let settle!: (code: number) => void;
  const done = new Promise<number>((resolve) => (settle = resolve));

  const move = (next: LifecycleState, reason?: StopReason) => {
    state = next;
    for (const listener of listeners) {
      try {
        listener(next, reason);
      } catch (err) {
        log.error({ err }, 'a lifecycle listener threw');
      }
    }
  };

  async function runStop(reason: StopReason): Promise<number> {
    move('draining', reason);
    let code = reason.exitCode;
    // Not unref'd: a hook that never settles must still end in an exit, not in a process that waits forever.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, stopTimeout, 'late')));
    const hooks = (async () => {
      for (const hook of [...stopHooks].reverse()) {
        try {
          await hook();
        } catch (err) {
          log.error({ err }, 'a stop step failed');
          code = code === EXIT.ok ? EXIT.failed : code;
        }
      }
    })();
    const late = (await Promise.race([hooks, deadline])) === 'late';
    clearTimeout(timer);
    if (late) {
      log.error({ stopTimeout }, 'stopping took too long: exiting with work unfinished');
      code = code === EXIT.ok ? EXIT.failed : code;
    }
    move('stopped', reason);
    settle(code);
    return code;
  }

  return {
    get state() {
      return state;
    },
    done,
    ready() {
      if (state === 'starting') move('ready');
    },
    onStop: (hook) => void stopHooks.push(hook),
    onReload: (hook) => void reloadHooks.push(hook),
    onChange: (listener) => void listeners.push(listener),
    stop: (reason) => (stopping ??= runStop(reason)),
    abort(exitCode) {
      if (state !== 'stopped') move('stopped', { cause: 'aborted', exitCode });
      settle(exitCode);
    },
    async reload() {
      for (const hook of reloadHooks) {
        try {
          await hook();
        } catch (err) {
          log.error({ err: (err as Error).message }, 'reload step failed; keeping what was running');
        }
      }
    },
  };
}
