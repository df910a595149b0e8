#!/usr/bin/env node
import { createLogger, listen, onShutdownSignals } from '../src/index.js';
import type { Logger } from 'pino';
import { loadConfig, USAGE, type Config } from './config.js';
import { buildApp } from './server.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`maru: ${(err as Error).message}\n`);
    process.exit(2);
  }
  if (config.help) {
    process.stdout.write(USAGE);
    return;
  }

  let log: Logger;
  try {
    log = createLogger();
  } catch (err) {
    // An unknown LOG_LEVEL: a usage error like a bad flag, one line and no stack trace.
    process.stderr.write(`maru: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const app = buildApp({ log });
  try {
    const server = await listen(app, { port: config.ports, host: config.host });
    log.info({ urls: server.urls }, `maru is listening on ${server.urls.join(', ')}`);
    onShutdownSignals(() => server.close(), log);
  } catch (err) {
    process.stderr.write(`maru: ${(err as Error).message}\n`);
    log.flush();
    process.exit(1);
  }
}

await main();
