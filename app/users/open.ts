import type { Database } from 'better-sqlite3';
import type { UserRepository } from './repo.js';
import { SqliteUserRepository } from './sqlite.js';

export interface OpenUserRepositoryOptions {
  /** Where the SQLite file `maru.db` lives (created on first run). Used when there is no databaseUrl. */
  readonly dataDir: string;
  /** `postgres://…`: members live in PostgreSQL instead. */
  readonly databaseUrl?: string | undefined;
  /** PostgreSQL schema for the tables (default `public`). */
  readonly schema?: string;
  /** The app's open `maru.db` connection (see openSqliteFile): SQLite members use it instead of opening their own. */
  readonly database?: Database | undefined;
}

/**
 * Opens the member store the configuration asks for and brings its schema up to date: PostgreSQL when a
 * databaseUrl is given, else the SQLite file in dataDir (on the given connection, if any). `pg` is imported only in
 * the first case, so the default set-up never loads it. Call once at start-up (each cluster worker calls it;
 * migrations are safe to race) and `close()` the result on shutdown.
 *
 * @example
 * const users = await openUserRepository({ dataDir: config.dataDir, databaseUrl: process.env.DATABASE_URL });
 */
export async function openUserRepository(options: OpenUserRepositoryOptions): Promise<UserRepository> {
  const { dataDir, databaseUrl, schema, database } = options;
  if (databaseUrl === undefined || databaseUrl === '') return new SqliteUserRepository(database === undefined ? { dataDir } : { database });
  const [{ default: pg }, { PostgresUserRepository }] = await Promise.all([import('pg'), import('./postgres.js')]);
  return PostgresUserRepository.open({ pg, connectionString: databaseUrl, ...(schema === undefined ? {} : { schema }) });
}
