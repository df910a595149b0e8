#!/usr/bin/env node
import { join } from 'node:path';
import type { Logger } from 'pino';
import { fileURLToPath } from 'node:url';
import { createLogger, listen, onShutdownSignals, RedisStore, SqliteStore, type SessionStore } from '../src/index.js';
import { loadConfig, USAGE, type Config } from './config.js';
import { buildApp } from './server.js';
import { openUserRepository } from './users/open.js';

// Beside this file: app/public under tsx, dist/app/public once built (the build copies it).
const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

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
  let users;
  let sessionStore: SessionStore;
  try {
    users = await openUserRepository({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
    sessionStore = openSessionStore(config, log);
  } catch (err) {
    process.stderr.write(`maru: cannot open storage: ${(err as Error).message}\n`);
    process.exit(1);
  }
  log.info(
    { members: config.databaseUrl ? 'postgresql' : 'sqlite', sessions: config.redisUrl ? 'redis' : 'sqlite', dataDir: config.dataDir },
    'storage ready',
  );

  const app = buildApp({ log, users, sessionStore, publicDir: PUBLIC_DIR });
  try {
    const server = await listen(app, { port: config.ports, host: config.host });
    log.info({ urls: server.urls }, `maru is listening on ${server.urls.join(', ')}`);
    onShutdownSignals(async () => {
      await server.close();
      await Promise.all([users.close(), sessionStore.close?.()]);
    }, log);
  } catch (err) {
    process.stderr.write(`maru: ${(err as Error).message}\n`);
    await Promise.all([users.close(), sessionStore.close?.()]);
    process.exit(1);
  }
}

/** Redis when REDIS_URL is set, else a table in the members' SQLite file (sessions survive restarts either way). */
function openSessionStore(config: Config, log: Logger): SessionStore {
  if (config.redisUrl !== undefined) {
    return new RedisStore({ url: config.redisUrl, onError: (err) => log.warn({ err: err.message }, 'redis connection error') });
  }
  return new SqliteStore({ database: join(config.dataDir, 'maru.db') });
}

await main();
