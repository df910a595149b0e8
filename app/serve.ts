import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  createMetrics,
  devCertificate,
  joinCluster,
  listen,
  serveMetrics,
  type Lifecycle,
  type Logger,
  type TlsOptions,
} from '../src/index.js';
import { attemptCounterBeside } from './auth/throttle.js';
import type { Config } from './config.js';
import { buildApp } from './server.js';
import { openStorage, type Storage } from './storage/open.js';

// Beside this file: app/public under tsx, dist/app/public once built (the build copies it).
const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/**
 * The member directory in this process — alone, or as one worker of a cluster (the same code: the worker's
 * lifecycle is then driven by the primary). Opens storage, listens, and marks the lifecycle ready; throws with
 * one line when it cannot.
 */
export async function serve(config: Config, log: Logger, lifecycle: Lifecycle): Promise<void> {
  // prom-client is loaded only when metrics are asked for.
  // Every series says which instance it comes from; the workers of one cluster share it, so the primary sums them.
  const metrics = config.metricsPort === undefined ? undefined : await createMetrics({ labels: { instance: config.instance ?? hostname() } });
  // First, so that the primary hears why this worker stops if anything below fails.
  const worker = config.cluster === undefined ? undefined : await joinCluster(lifecycle, { log, ...(metrics === undefined ? {} : { metrics }) });

  let storage: Storage;
  try {
    storage = await openStorage(config, log);
  } catch (err) {
    throw new Error(`cannot open storage: ${(err as Error).message}`, { cause: err });
  }
  const attempts = attemptCounterBeside(storage.sessionStore);
  // The counters share the session store's connection: they stop first.
  lifecycle.onStop(async () => {
    await attempts.close?.();
    await storage.close();
  });
  log.info({ ...storage.describe, dataDir: config.dataDir }, 'storage ready');

  const app = buildApp({
    log,
    users: storage.users,
    sessionStore: storage.sessionStore,
    attempts,
    publicDir: PUBLIC_DIR,
    lifecycle,
    trustProxy: config.trustProxy,
    ...(metrics === undefined ? {} : { metrics }),
  });
  const tls = await tlsOptions(config, log);
  const server = await listen(app, {
    port: config.ports,
    host: config.host,
    ...(tls === undefined ? {} : { tls, redirectHttp: config.https!.redirectPorts }),
  });
  lifecycle.onStop(() => server.close());
  if (tls !== undefined) lifecycle.onReload(() => server.reloadTls().then(() => log.info('certificates reloaded')));
  // A cluster's primary serves the metrics of all its workers; one process serves its own.
  if (metrics !== undefined && worker === undefined) {
    const listener = await serveMetrics(metrics, { port: config.metricsPort!, log });
    lifecycle.onStop(() => listener.close());
  }
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
