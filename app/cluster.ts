import { hostname } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runCluster, writePidFile, type Lifecycle, type Logger } from '../src/index.js';
import type { ClusterConfig, Config } from './config.js';

/** Where `maru reload` finds the primary. */
export const pidFilePath = (dataDir: string) => join(dataDir, 'maru.pid');

/**
 * `maru serve --cluster`: this process is the primary. It loads none of the app's modules — it forks the workers
 * (this same script: each runs `serve()`), keeps them running, and writes the pid file `maru reload` reads.
 */
export async function startCluster(config: Config & { cluster: ClusterConfig }, log: Logger, lifecycle: Lifecycle): Promise<void> {
  await mkdir(config.dataDir, { recursive: true });
  const pidFile = await writePidFile(pidFilePath(config.dataDir));
  if (pidFile.previous !== undefined) log.warn({ previous: pidFile.previous }, `another maru cluster (pid ${pidFile.previous}) used this data directory: maru reload now reaches this one`);
  lifecycle.onStop(pidFile.remove);
  const { workers, maxWorkerRss } = config.cluster;
  await runCluster(lifecycle, {
    log,
    workers,
    ...(maxWorkerRss === undefined ? {} : { maxWorkerRss }),
    ...(config.metricsPort === undefined ? {} : { metrics: { port: config.metricsPort, labels: { instance: config.instance ?? hostname() } } }),
  });
  log.info({ workers, pidFile: pidFilePath(config.dataDir) }, `maru cluster: primary ${process.pid}, ${workers} workers`);
}
