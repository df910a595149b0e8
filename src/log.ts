import { createRequire } from 'node:module';
import type { Logger, LevelWithSilent } from 'pino';

/** Longest time a log line waits in the output buffer. */
const FLUSH_EVERY_MS = 250;
// pino's numbers for its levels: a method writes when its level is at least the logger's.
const LEVEL_VALUES: Readonly<Record<LevelWithSilent, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };
const LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const METHODS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/**
 * Options of {@link createLogger}; both have defaults from the environment.
 *
 * @example
 * const log = createLogger({ level: 'debug', pretty: false });
 */
export interface LoggerOptions {
  /** Defaults to `LOG_LEVEL`, else `info`. */
  level?: string;
  /** Human-readable lines; defaults to true when stdout is a terminal. */
  pretty?: boolean;
}

/**
 * The toolkit's logger: pino, JSON lines on stdout, pretty when stdout is a terminal. An unknown level is a
 * start-up error, not a silent default.
 *
 * pino itself is loaded with the first line at an enabled level (or the first use of anything but the level
 * methods, `level`, `isLevelEnabled`, `child` and `flush`): loading it is ~15 ms of CPU at start-up, which a server
 * at `warn` may never need (`npm run bench -- footprint` measures it).
 *
 * @example
 * const log = createLogger({ level: 'debug' });
 */
export function createLogger({ level = process.env.LOG_LEVEL || 'info', pretty = process.stdout.isTTY === true }: LoggerOptions = {}): Logger {
  const initial = checkLevel(level);
  return lazyLogger(initial, (current) => openPino(current, pretty));
}

function checkLevel(level: string): LevelWithSilent {
  if (!Object.hasOwn(LEVEL_VALUES, level)) throw new TypeError(`LOG_LEVEL must be one of ${LEVELS.join(', ')}, got ${level}`);
  return level as LevelWithSilent;
}

/**
 * A Logger whose level methods, `level`, `isLevelEnabled`, `child` and `flush` are its own properties: before pino
 * is loaded they work from the level alone (a disabled method does nothing, and there is nothing to flush); once it
 * is, they are pino's own, bound, so a log call costs what it costs on pino. Any other member reaches pino through
 * the prototype, a Proxy that loads it first.
 */
function lazyLogger(initial: LevelWithSilent, open: (level: LevelWithSilent) => Logger): Logger {
  let level = initial;
  let real: Logger | undefined;
  const load = (): Logger => {
    if (real === undefined) {
      real = open(level);
      bindToReal(real);
    }
    return real;
  };
  const logger = Object.create(
    new Proxy({}, {
      get(_target, property) {
        // A logger is not a promise: `await log` or an async function returning it asks for `then`, which must
        // neither load pino nor find anything.
        if (property === 'then') return undefined;
        const target = load();
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }),
  ) as Record<string, unknown>;
  const bindToReal = (target: Logger) => {
    for (const method of METHODS) logger[method] = target[method].bind(target);
    logger.isLevelEnabled = target.isLevelEnabled.bind(target);
    logger.child = target.child.bind(target);
    logger.flush = target.flush.bind(target);
  };
  const setLevelMethods = () => {
    for (const method of METHODS) {
      logger[method] = LEVEL_VALUES[method] >= LEVEL_VALUES[level] ? (...args: unknown[]) => (load()[method] as (...a: unknown[]) => void)(...args) : noop;
    }
  };
  Object.defineProperty(logger, 'level', {
    enumerable: true,
    get: () => real?.level ?? level,
    set: (value: string) => {
      level = checkLevel(value);
      if (real === undefined) return setLevelMethods();
      // pino swaps an instance's level methods when its level changes: bind the new ones.
      real.level = level;
      bindToReal(real);
    },
  });
  logger.isLevelEnabled = (name: string) => Object.hasOwn(LEVEL_VALUES, name) && LEVEL_VALUES[name as LevelWithSilent] >= LEVEL_VALUES[level];
  logger.child = (...args: Parameters<Logger['child']>) => load().child(...args);
  logger.flush = (done?: (err?: Error) => void) => {
    if (done !== undefined) queueMicrotask(() => done());
  };
  setLevelMethods();
  return logger as unknown as Logger;
}

function noop(): void {}

function openPino(level: LevelWithSilent, pretty: boolean): Logger {
  const require = createRequire(import.meta.url);
  const pino = require('pino') as typeof import('pino').default;
  const options = { level, base: { pid: process.pid } };
  if (pretty) {
    // Loaded only for a terminal: servers writing JSON never pay for it.
    const prettyStream = require('pino-pretty') as (opts: object) => NodeJS.WritableStream;
    return pino(options, prettyStream({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' }));
  }
  // minLength batches lines into few writes under load; the timer bounds how long a line may wait in that buffer
  // when traffic is light (the start-up line, an error, a quiet server's access lines), where it would otherwise
  // sit until 4 KiB piled up or the process exited.
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const timer = setInterval(() => {
    // sonic-boom keeps the buffered length in _len; flush() with nothing buffered would still issue a write.
    const state = destination as unknown as { _len?: number; destroyed?: boolean };
    if (state.destroyed !== true && (state._len ?? 0) > 0) destination.flush();
  }, FLUSH_EVERY_MS);
  timer.unref();
  return pino(options, destination);
}
