import { createRequire } from 'node:module';
import pino, { type Logger, type LevelWithSilent } from 'pino';

/** Longest time a log line waits in the output buffer. */
const FLUSH_EVERY_MS = 250;
const LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

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
 * @example
 * const log = createLogger({ level: 'debug' });
 */
export function createLogger({ level = process.env.LOG_LEVEL || 'info', pretty = process.stdout.isTTY === true }: LoggerOptions = {}): Logger {
  if (!LEVELS.includes(level)) throw new TypeError(`LOG_LEVEL must be one of ${LEVELS.join(', ')}, got ${level}`);
  const options = { level: level as LevelWithSilent, base: { pid: process.pid } };
  if (pretty) {
    // Loaded only for a terminal: servers writing JSON never pay for it.
    const prettyStream = createRequire(import.meta.url)('pino-pretty') as (opts: object) => NodeJS.WritableStream;
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
