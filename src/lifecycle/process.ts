import type { Logger } from 'pino';
import { EXIT, type Lifecycle } from './lifecycle.js';

/**
 * Options of {@link handleProcessEvents}: which process events drive the lifecycle.
 *
 * @example
 * handleProcessEvents(life, { log: app.log, reloadOnHangup: false });
 */
export interface ProcessEventsOptions {
  readonly log: Logger;
  /** SIGTERM and SIGINT drain and stop; a second one stops at once with exit code 1. Default true. */
  readonly signals?: boolean;
  /** SIGHUP runs the reload hooks (e.g. re-read certificates). Default true. */
  readonly reloadOnHangup?: boolean;
  /** An uncaught exception or unhandled rejection is logged once as fatal, then the process drains and exits 70. Default true. */
  readonly safetyNet?: boolean;
  /** The process to listen on (a test passes an EventEmitter). */
  readonly target?: NodeJS.EventEmitter;
}

/**
 * Connects a lifecycle to the process: signals drive it, and a safety net catches what nothing else did. After
 * an uncaught error the process is in an unknown state (Node's docs: "it is not safe to resume"), so it stops
 * accepting, lets in-flight requests finish within the lifecycle's stop timeout, and exits 70 for its supervisor
 * (systemd, the cluster primary) to start a fresh one — instead of Node's default of a stack trace on stderr
 * and an abrupt exit. Returns a function that removes the handlers.
 *
 * @example
 * const life = createLifecycle({ log });
 * handleProcessEvents(life, { log });
 */
export function handleProcessEvents(lifecycle: Lifecycle, options: ProcessEventsOptions): () => void {
  const { log, signals = true, reloadOnHangup = true, safetyNet = true, target = process } = options;
  const removers: (() => void)[] = [];
  const on = (event: string, handler: (...args: unknown[]) => void) => {
    target.on(event, handler);
    removers.push(() => target.off(event, handler));
  };

  if (signals) {
    const onSignal = (signal: unknown) => {
      if (lifecycle.state === 'draining' || lifecycle.state === 'stopped') {
        log.warn({ signal }, 'second signal: exiting now');
        lifecycle.abort(EXIT.failed);
        return;
      }
      log.info({ signal }, 'shutting down: finishing in-flight requests');
      void lifecycle.stop({ cause: 'signal', exitCode: EXIT.ok, detail: String(signal) });
    };
    on('SIGTERM', onSignal);
    on('SIGINT', onSignal);
  }
  if (reloadOnHangup) {
    on('SIGHUP', () => {
      log.info({ signal: 'SIGHUP' }, 'reloading');
      void lifecycle.reload();
    });
  }
  if (safetyNet) {
    const onFatal = (err: unknown, origin: string) => {
      if (lifecycle.state === 'draining' || lifecycle.state === 'stopped') {
        log.error({ err, origin }, 'another uncaught error while stopping');
        return;
      }
      log.fatal({ err, origin, state: lifecycle.state }, 'uncaught error: draining and exiting (code 70)');
      void lifecycle.stop({ cause: 'crash', exitCode: EXIT.crashed, detail: origin });
    };
    on('uncaughtException', (err, origin) => onFatal(err, String(origin)));
    on('unhandledRejection', (reason: unknown) => onFatal(reason, 'unhandledRejection'));
  }
  return () => {
    for (const remove of removers) remove();
  };
}
