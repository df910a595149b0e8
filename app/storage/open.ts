import type { Database } from 'better-sqlite3';
import { RedisStore, SqliteStore, type Logger, type SessionStore } from '../../src/index.js';
import type { Config } from '../config.js';
import { openUserRepository } from '../users/open.js';
import type { UserRepository } from '../users/repo.js';
import { openSqliteFile } from './sqlite-file.js';

/** Members and sessions, opened together and closed together. */
export interface Storage {
  readonly users: UserRepository;
  readonly sessionStore: SessionStore;
  /** The one connection to `maru.db`, when members or sessions live there (undefined with PostgreSQL and Redis). */
  readonly database: Database | undefined;
  /** What holds each, for the start-up line. */
  readonly describe: { readonly members: 'sqlite' | 'postgresql'; readonly sessions: 'sqlite' | 'redis' };
  /** Closes the stores, then the SQLite connection, once. */
  close(): Promise<void>;
}

/**
 * Opens what the configuration asks for: members in PostgreSQL (DATABASE_URL) or SQLite, sessions in Redis
 * (REDIS_URL) or SQLite. Whatever lives in SQLite shares one connection to `<dataDir>/maru.db`, opened here and
 * closed by `close()`: one busy timeout, one set of pragmas, one owner. Several processes may do this on one file
 * at once (cluster workers): WAL mode and the busy timeout make that safe. On failure, whatever was opened is
 * closed before the error is thrown.
 *
 * @example
 * const storage = await openStorage(config, log);
 * const app = buildApp({ log, users: storage.users, sessionStore: storage.sessionStore, publicDir });
 */
export async function openStorage(config: Pick<Config, 'dataDir' | 'databaseUrl' | 'redisUrl'> & Partial<Pick<Config, 'databaseSchema' | 'redisPrefix'>>, log: Logger): Promise<Storage> {
  const { dataDir, databaseUrl, redisUrl, databaseSchema, redisPrefix } = config;
  const database = databaseUrl === undefined || redisUrl === undefined ? openSqliteFile({ dataDir }) : undefined;
  let users: UserRepository | undefined;
  let sessionStore: SessionStore;
  try {
    users = await openUserRepository({ dataDir, databaseUrl, database, ...(databaseSchema === undefined ? {} : { schema: databaseSchema }) });
    sessionStore =
      redisUrl === undefined
        ? new SqliteStore({ database: database! })
        : new RedisStore({
            url: redisUrl,
            ...(redisPrefix === undefined ? {} : { prefix: redisPrefix }),
            onError: (err) => log.warn({ err: err.message }, 'redis connection error'),
          });
  } catch (err) {
    await users?.close();
    database?.close();
    throw err;
  }
  const opened = users;
  let closing: Promise<void> | undefined;
  return {
    users: opened,
    sessionStore,
    database,
    describe: { members: databaseUrl === undefined ? 'sqlite' : 'postgresql', sessions: redisUrl === undefined ? 'sqlite' : 'redis' },
    close() {
      closing ??= Promise.all([opened.close(), sessionStore.close?.()]).then(() => {
        if (database?.open === true) database.close();
      });
      return closing;
    },
  };
}
