import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { compileTrust } from '../src/index.js';

/** How the ports speak TLS: certificate files, or a development certificate made in the data directory. */
export interface HttpsConfig {
  /** Both given, or neither (then the dev certificate). */
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
  readonly caFiles: readonly string[];
  /** HTTP/2 beside HTTP/1.1 on the same ports. */
  readonly http2: boolean;
  /** Strict-Transport-Security max-age, seconds; 0 for none. */
  readonly hsts: number;
  /** Plain ports that redirect to HTTPS. */
  readonly redirectPorts: readonly number[];
}

/** `--cluster`: a primary that forks workers sharing the ports. */
export interface ClusterConfig {
  readonly workers: number;
  /** Memory guard: a worker above this many bytes of RSS is replaced gracefully; undefined for none. */
  readonly maxWorkerRss: number | undefined;
}

export interface Config {
  /** `serve` runs the server; `reload` asks a running cluster (found by its pid file) for a rolling restart. */
  readonly command: 'serve' | 'reload';
  readonly ports: readonly number[];
  readonly host: string;
  readonly help: boolean;
  /** TLS on `ports`, or undefined for plain HTTP. */
  readonly https: HttpsConfig | undefined;
  /** Peers whose X-Forwarded-* headers are believed (addresses, CIDRs, loopback…); false for nobody. */
  readonly trustProxy: string | false;
  /** Where the SQLite database (members and sessions) lives. */
  readonly dataDir: string;
  /** PostgreSQL for members instead of SQLite. */
  readonly databaseUrl: string | undefined;
  /** Redis for sessions instead of SQLite. */
  readonly redisUrl: string | undefined;
  /** Several worker processes, or undefined for one process. */
  readonly cluster: ClusterConfig | undefined;
  /** `/metrics` on this port of 127.0.0.1, or undefined for no metrics at all. */
  readonly metricsPort: number | undefined;
  /** PostgreSQL schema of the members' tables (`DATABASE_SCHEMA`; default `public`). */
  readonly databaseSchema: string | undefined;
  /** Prefix of every Redis key (`REDIS_PREFIX`; default `sess:`), so several apps or a demo can share one Redis. */
  readonly redisPrefix: string | undefined;
  /** This instance's name among several (`--instance` / `INSTANCE`): on every log line, and the metrics' label. */
  readonly instance: string | undefined;
}

export const USAGE = `maru — the member directory

Usage: maru serve [options]
       maru reload [--data DIR]

  reload          rolling restart of the cluster running with this data directory
                  (found through DIR/maru.pid): new code, files and certificates

Options:
  --port PORT     port to listen on; repeat for several listeners (env PORT; default 8080)
  --host HOST     address to bind (env HOST; default :: — every interface)
  --data DIR      directory of the SQLite database (env DATA_DIR; default ./data)
  --instance NAME this instance's name among several: on every log line and the
                  metrics' instance label (env INSTANCE; default the host name)
  -h, --help      show this help

HTTPS and HTTP/2:
  --https               serve the ports over TLS; without --cert/--key, a self-signed
                        certificate for localhost is made once in the data directory
  --cert FILE           certificate chain, PEM (env TLS_CERT); needs --key
  --key FILE            its private key, PEM (env TLS_KEY)
  --ca FILE             extra CA certificate, PEM; repeatable (env TLS_CA, comma-separated)
  --http2               HTTP/2 beside HTTP/1.1 on the same TLS ports (implies --https)
  --redirect-http PORT  a plain port that answers 308 to the HTTPS URL; repeatable
  --hsts SECONDS        Strict-Transport-Security max-age (default 15552000 with
                        certificate files, off with the development certificate; 0: off)
  SIGHUP re-reads the certificate files without dropping a connection.

Cluster and metrics:
  --cluster [N]         N worker processes share the ports (env CLUSTER_WORKERS; without N,
                        or auto: one per CPU core); a worker that crashes is replaced,
                        SIGHUP or maru reload replaces them one at a time
  --max-worker-rss MB   replace a worker, gracefully, once its memory passes MB
  --metrics-port PORT   Prometheus metrics at http://127.0.0.1:PORT/metrics (env METRICS_PORT),
                        summed over the workers of a cluster

Behind a proxy:
  --trust-proxy LIST    addresses, CIDRs or loopback/linklocal/uniquelocal whose
                        X-Forwarded-For/-Proto/-Host and Forwarded are believed (env TRUST_PROXY)

Environment:
  DATABASE_URL    postgres://… — keep members in PostgreSQL instead of SQLite
  DATABASE_SCHEMA PostgreSQL schema of the members' tables (default public)
  REDIS_URL       redis://… — keep sessions in Redis instead of SQLite
  REDIS_PREFIX    prefix of every Redis key (default sess:)
  LOG_LEVEL       fatal, error, warn, info (default), debug, trace or silent
`;

/** A bound that catches a typo (--cluster 1000) before it forks a thousand processes. */
const MAX_WORKERS = 256;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const REDIS_PREFIX = /^[\x21-\x7e]{1,64}$/;
// What a Prometheus label value, a log field and a host:port all take without quoting.
const INSTANCE_NAME = /^[A-Za-z0-9._:-]{1,64}$/;

/** Six months: long enough to matter (hstspreload.org asks a year for its list), short enough to undo a mistake. */
const DEFAULT_HSTS = 15_552_000;

/**
 * Reads the command line and the environment into a Config; flags win over env. Throws a TypeError with a
 * one-line message for anything it cannot use, so the CLI can print it and exit 2.
 */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv, { cores = availableParallelism() }: { cores?: number } = {}): Config {
  const { values, positionals } = parseArgs({
    args: withClusterCount(argv),
    allowPositionals: true,
    strict: true,
    options: {
      port: { type: 'string', multiple: true },
      host: { type: 'string' },
      data: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      https: { type: 'boolean' },
      cert: { type: 'string' },
      key: { type: 'string' },
      ca: { type: 'string', multiple: true },
      http2: { type: 'boolean' },
      'redirect-http': { type: 'string', multiple: true },
      hsts: { type: 'string' },
      'trust-proxy': { type: 'string' },
      cluster: { type: 'string' },
      'max-worker-rss': { type: 'string' },
      'metrics-port': { type: 'string' },
      instance: { type: 'string' },
    },
  });
  const command = positionals[0] ?? 'serve';
  if ((command !== 'serve' && command !== 'reload') || positionals.length > 1) throw new TypeError(`unknown command: ${positionals.join(' ')} (try: maru serve --help)`);

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
  const databaseSchema = nonEmpty(env.DATABASE_SCHEMA);
  if (databaseSchema !== undefined && databaseUrl === undefined) throw new TypeError('DATABASE_SCHEMA needs DATABASE_URL: it names a PostgreSQL schema');
  // The repository takes plain lower-case identifiers only: it names the schema in SQL and in search_path.
  if (databaseSchema !== undefined && !SCHEMA_NAME.test(databaseSchema)) {
    throw new TypeError(`DATABASE_SCHEMA must be a lower-case SQL identifier (a-z, 0-9, _; at most 63), got "${databaseSchema}"`);
  }
  const redisPrefix = nonEmpty(env.REDIS_PREFIX);
  if (redisPrefix !== undefined && redisUrl === undefined) throw new TypeError('REDIS_PREFIX needs REDIS_URL: it prefixes Redis keys');
  if (redisPrefix !== undefined && !REDIS_PREFIX.test(redisPrefix)) {
    throw new TypeError(`REDIS_PREFIX must be 1-64 printable characters without spaces, got "${redisPrefix}"`);
  }
  const instance = values.instance ?? nonEmpty(env.INSTANCE);
  if (instance !== undefined && !INSTANCE_NAME.test(instance)) {
    throw new TypeError(`--instance must be 1-64 letters, digits, '.', '_', ':' or '-', got "${instance}"`);
  }
  const dataDir = values.data ?? nonEmpty(env.DATA_DIR) ?? 'data';
  const trustProxy = values['trust-proxy'] ?? nonEmpty(env.TRUST_PROXY) ?? false;
  // Checked now, so a typo is a usage error at start and not a surprise behind the proxy.
  if (trustProxy !== false) compileTrust(trustProxy);
  const https = httpsConfig(values, env, ports);
  const cluster = clusterConfig(values, env, cores);
  const rawMetricsPort = values['metrics-port'] ?? nonEmpty(env.METRICS_PORT);
  const metricsPort = rawMetricsPort === undefined ? undefined : parsePort(rawMetricsPort, '--metrics-port');
  if (metricsPort !== undefined && metricsPort !== 0 && [...ports, ...(https?.redirectPorts ?? [])].includes(metricsPort)) {
    throw new TypeError(`port ${metricsPort} is given twice (--metrics-port must be a port of its own)`);
  }
  return { command, ports, host, help: values.help === true, dataDir, databaseUrl, redisUrl, databaseSchema, redisPrefix, instance, https, trustProxy, cluster, metricsPort };
}

/**
 * `--cluster` takes an optional count, which parseArgs cannot express: a bare `--cluster` (followed by another
 * flag, a command or nothing) becomes `--cluster=`, meaning CLUSTER_WORKERS or one worker per core.
 */
function withClusterCount(argv: readonly string[]): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== '--cluster') {
      args.push(argv[i]!);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && /^\s*(\d+|auto)\s*$/.test(next)) {
      args.push(`--cluster=${next}`);
      i++;
    } else args.push('--cluster=');
  }
  return args;
}

function clusterConfig(values: { cluster?: string | undefined; 'max-worker-rss'?: string | undefined }, env: NodeJS.ProcessEnv, cores: number): ClusterConfig | undefined {
  const flag = values.cluster?.trim();
  const fromEnv = nonEmpty(env.CLUSTER_WORKERS);
  const raw = flag === undefined ? fromEnv : flag || fromEnv || 'auto';
  const rss = values['max-worker-rss'];
  if (raw === undefined) {
    if (rss !== undefined) throw new TypeError('--max-worker-rss needs --cluster: a single process has no one to replace it');
    return undefined;
  }
  const name = flag ? '--cluster' : 'CLUSTER_WORKERS';
  const workers = raw === 'auto' ? cores : /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(workers >= 1 && workers <= MAX_WORKERS)) throw new TypeError(`${name} must be a number of workers from 1 to ${MAX_WORKERS}, or auto, got "${raw}"`);
  if (rss !== undefined && !/^\s*[1-9]\d{0,6}\s*$/.test(rss)) throw new TypeError(`--max-worker-rss must be a whole number of megabytes, got "${rss}"`);
  return { workers, maxWorkerRss: rss === undefined ? undefined : Number(rss.trim()) * 2 ** 20 };
}

interface TlsFlags {
  https?: boolean | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  ca?: string[] | undefined;
  http2?: boolean | undefined;
  'redirect-http'?: string[] | undefined;
  hsts?: string | undefined;
}

function httpsConfig(values: TlsFlags, env: NodeJS.ProcessEnv, ports: readonly number[]): HttpsConfig | undefined {
  const certFile = values.cert ?? nonEmpty(env.TLS_CERT);
  const keyFile = values.key ?? nonEmpty(env.TLS_KEY);
  const caFiles = values.ca ?? (nonEmpty(env.TLS_CA)?.split(',').map((file) => file.trim()).filter((file) => file !== '') ?? []);
  const redirectPorts = (values['redirect-http'] ?? []).map((raw) => parsePort(raw, '--redirect-http'));
  const wanted = values.https === true || values.http2 === true || certFile !== undefined || keyFile !== undefined;
  if (!wanted) {
    if (redirectPorts.length > 0) throw new TypeError('--redirect-http needs --https: it redirects to the HTTPS port');
    if (values.hsts !== undefined) throw new TypeError('--hsts needs --https');
    if (caFiles.length > 0) throw new TypeError('--ca needs --https');
    return undefined;
  }
  if ((certFile === undefined) !== (keyFile === undefined)) throw new TypeError('--cert and --key go together: give both, or neither for a development certificate');
  for (const port of redirectPorts) if (port !== 0 && ports.includes(port)) throw new TypeError(`port ${port} is given twice`);
  let hsts = certFile === undefined ? 0 : DEFAULT_HSTS;
  if (values.hsts !== undefined) {
    if (!/^\d{1,10}$/.test(values.hsts.trim())) throw new TypeError(`--hsts must be a whole number of seconds, got "${values.hsts}"`);
    hsts = Number(values.hsts.trim());
  }
  return { certFile, keyFile, caFiles, http2: values.http2 === true, hsts, redirectPorts };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function parsePort(raw: string, flag = '--port'): number {
  const port = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || port > 65535) throw new TypeError(`${flag} must be a number from 0 to 65535, got "${raw}"`);
  return port;
}
