import { parseArgs } from 'node:util';

export interface Config {
  readonly ports: readonly number[];
  readonly host: string;
  readonly help: boolean;
  /** Where the SQLite database (members and sessions) lives. */
  readonly dataDir: string;
  /** PostgreSQL for members instead of SQLite. */
  readonly databaseUrl: string | undefined;
  /** Redis for sessions instead of SQLite. */
  readonly redisUrl: string | undefined;
}

export const USAGE = `maru — the member directory

Usage: maru serve [options]

Options:
  --port PORT     port to listen on; repeat for several listeners (env PORT; default 8080)
  --host HOST     address to bind (env HOST; default :: — every interface)
  --data DIR      directory of the SQLite database (env DATA_DIR; default ./data)
  -h, --help      show this help

Environment:
  DATABASE_URL    postgres://… — keep members in PostgreSQL instead of SQLite
  REDIS_URL       redis://… — keep sessions in Redis instead of SQLite
  LOG_LEVEL       fatal, error, warn, info (default), debug, trace or silent
`;

/**
 * Reads the command line and the environment into a Config; flags win over env. Throws a TypeError with a
 * one-line message for anything it cannot use, so the CLI can print it and exit 2.
 */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Config {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      port: { type: 'string', multiple: true },
      host: { type: 'string' },
      data: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0] ?? 'serve';
  if (command !== 'serve' || positionals.length > 1) throw new TypeError(`unknown command: ${positionals.join(' ')} (try: maru serve --help)`);

  const rawPorts = values.port ?? (env.PORT ? env.PORT.split(',') : ['8080']);
  const ports = rawPorts.map((raw) => parsePort(raw));
  // Port 0 asks the OS for any free port, so only it may repeat; another repeat would fail later as EADDRINUSE.
  const repeated = ports.find((port, i) => port !== 0 && ports.indexOf(port) !== i);
  if (repeated !== undefined) throw new TypeError(`port ${repeated} is given twice`);
  if (values.host !== undefined && values.host.trim() === '') throw new TypeError('--host must not be empty');
  // An empty HOST (a blank line in an env file) is unset, not "listen on an empty address".
  const host = values.host?.trim() ?? (env.HOST?.trim() || '::');
  const databaseUrl = nonEmpty(env.DATABASE_URL);
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new TypeError('DATABASE_URL must be a postgres:// URL (unset it to use SQLite)');
  }
  const redisUrl = nonEmpty(env.REDIS_URL);
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    throw new TypeError('REDIS_URL must be a redis:// or rediss:// URL (unset it to keep sessions in SQLite)');
  }
  const dataDir = values.data ?? nonEmpty(env.DATA_DIR) ?? 'data';
  return { ports, host, help: values.help === true, dataDir, databaseUrl, redisUrl };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function parsePort(raw: string): number {
  const port = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || port > 65535) throw new TypeError(`--port must be a number from 0 to 65535, got "${raw}"`);
  return port;
}
