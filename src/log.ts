import { createRequire } from 'node:module';
import pino, { type Logger, type LevelWithSilent } from 'pino';

const LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

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
  return pino(options, pino.destination({ dest: 1, sync: false, minLength: 4096 }));
}
