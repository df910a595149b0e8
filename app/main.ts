#!/usr/bin/env node
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createLifecycle, createLogger, EXIT, handleProcessEvents, signalPidFile, type Lifecycle, type Logger } from '../src/index.js';
import { loadConfig, USAGE, type Config } from './config.js';

/**
 * `maru serve`: configuration → one process, or a cluster's primary (whose workers run this same file as one
 * process each). Resolves with the exit code; this file's last line is the only `process.exit` of the program.
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
    if (config.command === 'reload') return await reload(config.dataDir);
    // Several instances write to one log store: every line says which one wrote it.
    log = createLogger().child({ instance: config.instance ?? hostname() });
  } catch (err) {
    // A bad flag, variable or LOG_LEVEL: one line and no stack trace.
    process.stderr.write(`maru: ${(err as Error).message}\n`);
    return EXIT.usage;
  }

  const role = await roleOf(config);
  // The primary's stop waits for its workers' (20 s at most) before its own deadline.
  const lifecycle = createLifecycle({ log, ...(role === 'primary' ? { stopTimeout: 30_000 } : {}) });
  handleProcessEvents(lifecycle, { log });
  let failure: string | undefined;
  lifecycle.onChange((state, reason) => {
    if (state === 'draining' && reason?.cause === 'start-failed') failure = reason.detail;
  });
  try {
    await start(role, config, log, lifecycle);
  } catch (err) {
    await lifecycle.stop({ cause: 'start-failed', exitCode: EXIT.failed, detail: (err as Error).message });
  }
  const code = await lifecycle.done;
  // A worker's failure is its primary's to report: once, if it gives up, instead of once per attempt.
  if (failure !== undefined && role !== 'worker') process.stderr.write(`maru: ${failure}\n`);
  log.info({ exitCode: code }, 'stopped');
  await new Promise<void>((resolve) => log.flush(() => resolve()));
  return code;
}

type Role = 'single' | 'primary' | 'worker';

async function roleOf(config: Config): Promise<Role> {
  if (config.cluster === undefined) return 'single';
  const { default: cluster } = await import('node:cluster');
  return cluster.isPrimary ? 'primary' : 'worker';
}

async function start(role: Role, config: Config, log: Logger, lifecycle: Lifecycle): Promise<void> {
  if (role === 'primary') {
    const { startCluster } = await import('./cluster.js');
    return startCluster({ ...config, cluster: config.cluster! }, log, lifecycle);
  }
  const { serve } = await import('./serve.js');
  return serve(config, log, lifecycle);
}

/** `maru reload`: SIGHUP to the primary named by the pid file of the data directory. */
async function reload(dataDir: string): Promise<number> {
  try {
    const pid = await signalPidFile(join(dataDir, 'maru.pid'), 'SIGHUP');
    process.stdout.write(`maru: asked the cluster (pid ${pid}) to reload: its workers are replaced one at a time\n`);
    return EXIT.ok;
  } catch (err) {
    process.stderr.write(`maru: ${(err as Error).message}\n`);
    return EXIT.failed;
  }
}

process.exit(await main());
