import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listen, type ListenOptions, type Listening } from '../../src/index.js';
import { attemptCounterBeside, type AccountLimits } from '../../app/auth/throttle.js';
import { buildApp } from '../../app/server.js';
import { openStorage } from '../../app/storage/open.js';
import { PUBLIC_DIR } from '../app/harness.js';
import { startMaru } from '../app-process.js';
import { memoryLogger } from '../logger.js';
import { throwawayCerts } from '../tls/certs.js';

/** The member directory under attack: where it listens, what it logged, and where its files are. */
export interface Target {
  /** `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** The certificate to trust (PEM) when the target speaks TLS. */
  readonly ca: string | undefined;
  /** The data directory (SQLite database, development certificate). */
  readonly dataDir: string;
  /** The JSON lines it logged so far. */
  logs(): Record<string, unknown>[];
  close(): Promise<void>;
}

/**
 * The real `maru serve` as its own process (from source), SQLite members and sessions in a fresh data directory;
 * with `https`, HTTPS and HTTP/2 on the port with the development certificate it makes there. Its limits and
 * timeouts are the defaults a deployment gets.
 */
export async function startProcess({ https = false }: { https?: boolean } = {}): Promise<Target> {
  const dataDir = await mkdtemp(join(tmpdir(), 'maru-hostile-'));
  try {
    const maru = await startMaru({ args: ['--data', dataDir, ...(https ? ['--https', '--http2'] : [])] });
    const ca = https ? await readFile(join(dataDir, 'dev-cert.pem'), 'utf8') : undefined;
    return {
      url: maru.url,
      port: Number(new URL(maru.url).port),
      ca,
      dataDir,
      logs: () => maru.logs,
      async close() {
        await maru.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

export interface AppTargetOptions {
  /** Listen options laid over the defaults: lowered timeouts, HTTP/2 limits. */
  readonly listen?: Omit<ListenOptions, 'port' | 'host' | 'tls'>;
  /** HTTPS with HTTP/2 beside HTTP/1.1, on a throwaway certificate. */
  readonly tls?: boolean;
  readonly limits?: Partial<AccountLimits>;
  readonly trustProxy?: string;
}

/**
 * The same app as `maru serve` builds it (SQLite members, SQLite sessions and login counts in one file), in this
 * process, for what a process cannot be asked: lowered timeouts or limits through `listen()` and the app's
 * options, and its log lines read directly.
 */
export async function startApp({ listen: listenOptions = {}, tls = false, limits, trustProxy }: AppTargetOptions = {}): Promise<Target> {
  const dataDir = await mkdtemp(join(tmpdir(), 'maru-hostile-'));
  const { log, lines } = memoryLogger();
  const storage = await openStorage({ dataDir, databaseUrl: undefined, redisUrl: undefined }, log);
  const attempts = attemptCounterBeside(storage.sessionStore);
  const certs = tls ? await throwawayCerts() : undefined;
  let server: Listening;
  try {
    const app = buildApp({
      log,
      users: storage.users,
      sessionStore: storage.sessionStore,
      attempts,
      publicDir: PUBLIC_DIR,
      ...(limits === undefined ? {} : { limits }),
      ...(trustProxy === undefined ? {} : { trustProxy }),
    });
    server = await listen(app, {
      ...listenOptions,
      port: 0,
      host: '127.0.0.1',
      ...(certs === undefined ? {} : { tls: { certFile: certs.certFile, keyFile: certs.keyFile, http2: true } }),
    });
  } catch (err) {
    await storage.close();
    await certs?.cleanup();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const url = server.urls[0]!;
  return {
    url,
    port: Number(new URL(url).port),
    ca: certs?.certPem,
    dataDir,
    logs: lines,
    async close() {
      await server.close(1_000);
      await attempts.close?.();
      await storage.close();
      await certs?.cleanup();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
