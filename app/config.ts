import { parseArgs } from 'node:util';

export interface Config {
  readonly ports: readonly number[];
  readonly host: string;
  readonly help: boolean;
}

export const USAGE = `maru — the member directory

Usage: maru serve [options]

Options:
  --port PORT     port to listen on; repeat for several listeners (env PORT; default 8080)
  --host HOST     address to bind (env HOST; default :: — every interface)
  -h, --help      show this help

Environment:
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
  return { ports, host, help: values.help === true };
}

function parsePort(raw: string): number {
  const port = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || port > 65535) throw new TypeError(`--port must be a number from 0 to 65535, got "${raw}"`);
  return port;
}
