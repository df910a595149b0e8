#!/usr/bin/env node
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createLifecycle,
  createLogger,
  devCertificate,
  EXIT,
  handleProcessEvents,
  listen,
  RedisStore,
  SqliteStore,
  type Lifecycle,
  type Logger,
  type SessionStore,
  type TlsOptions,
} from '../src/index.js';
import { loadConfig, USAGE, type Config } from './config.js';
import { buildApp } from './server.js';
import { openUserRepository } from './users/open.js';

// Beside this file: app/public under tsx, dist/app/public once built (the build copies it).
const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/**
 * `maru serve`: reads the configuration, opens storage, listens, and runs until a signal (or an uncaught error)
 * stops it. Resolves with the exit code; this file's last line is the only `process.exit` of the program.
 */
async function main(): Promise<number> {
  let config: Config;
  let log: Logger;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
    if (config.help) {
      process.stdout.write(USAGE);
      return EXIT.ok;
    }
    // Several instances write to one log store: every line says which one wrote it.
    log = createLogger().child({ instance: config.instance ?? hostname() });
  } catch (err) {
    // A bad flag, variable or LOG_LEVEL: one line and no stack trace.
    process.stderr.write(`maru: ${(err as Error).message}\n`);
    return EXIT.usage;
  }

  const lifecycle = createLifecycle({ log });
  handleProcessEvents(lifecycle, { log });
  try {
    await start(config, log, lifecycle);
  } catch (err) {
    process.stderr.write(`maru: ${(err as Error).message}\n`);
    await lifecycle.stop({ cause: 'start-failed', exitCode: EXIT.failed });
  }
  const code = await lifecycle.done;
  log.info({ exitCode: code }, 'stopped');
  await new Promise<void>((resolve) => log.flush(() => resolve()));
  return code;
}

async function start(config: Config, log: Logger, lifecycle: Lifecycle): Promise<void> {
  let users;
  let sessionStore: SessionStore;
  try {
    users = await openUserRepository({
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      ...(config.databaseSchema === undefined ? {} : { schema: config.databaseSchema }),
    });
    sessionStore = openSessionStore(config, log);
  } catch (err) {
    throw new Error(`cannot open storage: ${(err as Error).message}`, { cause: err });
  }
  lifecycle.onStop(() => Promise.all([users.close(), sessionStore.close?.()]).then(() => undefined));
  log.info(
    {
      members: config.databaseUrl ? 'postgresql' : 'sqlite',
      sessions: config.redisUrl ? 'redis' : 'sqlite',
      dataDir: config.dataDir,
      ...(config.databaseSchema === undefined ? {} : { schema: config.databaseSchema }),
      ...(config.redisPrefix === undefined ? {} : { redisPrefix: config.redisPrefix }),
    },
    'storage ready',
  );

  const app = buildApp({ log, users, sessionStore, publicDir: PUBLIC_DIR, lifecycle, trustProxy: config.trustProxy });
  const tls = await tlsOptions(config, log);
  const server = await listen(app, {
    port: config.ports,
    host: config.host,
    ...(tls === undefined ? {} : { tls, redirectHttp: config.https!.redirectPorts }),
  });
  lifecycle.onStop(() => server.close());
  if (tls !== undefined) lifecycle.onReload(() => server.reloadTls().then(() => log.info('certificates reloaded')));
  lifecycle.ready();
  log.info({ urls: server.urls, listeners: server.listeners }, `maru is listening on ${server.urls.join(', ')}`);
}

/** The TLS settings of `--https`: the given files, or the development certificate (made once, HSTS off). */
async function tlsOptions(config: Config, log: Logger): Promise<TlsOptions | undefined> {
  const https = config.https;
  if (https === undefined) return undefined;
  const common = { http2: https.http2, hsts: https.hsts, ...(https.caFiles.length === 0 ? {} : { caFiles: https.caFiles }) };
  if (https.certFile !== undefined && https.keyFile !== undefined) return { certFile: https.certFile, keyFile: https.keyFile, ...common };
  const dev = await devCertificate(config.dataDir);
  log.info(
    { certFile: dev.certFile, created: dev.created },
    `${dev.created ? 'made' : 'using'} a self-signed development certificate for localhost (browsers will warn; HSTS stays off with it unless --hsts is given)`,
  );
  return { certFile: dev.certFile, keyFile: dev.keyFile, ...common };
}

/** Redis when REDIS_URL is set, else a table in the members' SQLite file (sessions survive restarts either way). */
function openSessionStore(config: Config, log: Logger): SessionStore {
  if (config.redisUrl !== undefined) {
    return new RedisStore({
      url: config.redisUrl,
      ...(config.redisPrefix === undefined ? {} : { prefix: config.redisPrefix }),
      onError: (err) => log.warn({ err: err.message }, 'redis connection error'),
    });
  }
  return new SqliteStore({ database: join(config.dataDir, 'maru.db') });
}

process.exit(await main());
