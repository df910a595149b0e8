import type Database from 'better-sqlite3';
import type { AttemptCount, AttemptCounter } from './counter.js';

type Db = Database.Database;

/**
 * The options of `SqliteAttemptCounter`.
 *
 * @example
 * new SqliteAttemptCounter({ database: store.database, table: 'attempts', purgeInterval: 60_000 });
 */
export interface SqliteAttemptCounterOptions {
  /** An open better-sqlite3 Database, e.g. the session store's (`sqliteStore.database`): one file, one connection. */
  database: Db;
  /** Table name; created when missing. */
  table?: string;
  /** How often (ms) rows whose window has closed are deleted. */
  purgeInterval?: number;
}

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Attempt counts in a SQLite table, shared by every process that opens the file (the workers of a cluster on one
 * machine). A hit is one UPSERT … RETURNING, atomic on its own, so concurrent hits from several processes never
 * lose a count. Give it the connection the sessions use: the counts then live where the sessions do.
 *
 * @example
 * const store = new SqliteStore({ database: './data/maru.db' });
 * const counter = new SqliteAttemptCounter({ database: store.database });
 */
export class SqliteAttemptCounter implements AttemptCounter {
  readonly #timer: NodeJS.Timeout;
  readonly #hit: Database.Statement<[{ key: string; now: number; window: number }], { count: number; reset_at: number }>;
  readonly #undo: Database.Statement<[string, number]>;
  readonly #reset: Database.Statement<[string]>;
  readonly #purge: Database.Statement<[number]>;

  constructor({ database, table = 'attempts', purgeInterval = 5 * 60_000 }: SqliteAttemptCounterOptions) {
    if (database === null || typeof database !== 'object' || typeof database.prepare !== 'function') {
      throw new TypeError('option database must be an open better-sqlite3 Database');
    }
    if (!TABLE_NAME.test(table)) throw new TypeError(`option table must be a plain SQL identifier, got ${JSON.stringify(table)}`);
    if (!Number.isSafeInteger(purgeInterval) || purgeInterval <= 0) {
      throw new TypeError(`option purgeInterval must be a positive integer, got ${purgeInterval}`);
    }
    const db = database;
    db.exec(`CREATE TABLE IF NOT EXISTS "${table}" (key TEXT PRIMARY KEY, count INTEGER NOT NULL, reset_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS "${table}_reset_at" ON "${table}" (reset_at);`);
    // Every expression of an UPDATE's SET reads the row as it was (SQLite: "UPDATE"), so both CASEs see the old reset_at.
    this.#hit = db.prepare(
      `INSERT INTO "${table}" (key, count, reset_at) VALUES (@key, 1, @now + @window)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN reset_at <= @now THEN 1 ELSE count + 1 END,
         reset_at = CASE WHEN reset_at <= @now THEN @now + @window ELSE reset_at END
       RETURNING count, reset_at`,
    );
    this.#undo = db.prepare(`UPDATE "${table}" SET count = count - 1 WHERE key = ? AND count > 0 AND reset_at > ?`);
    this.#reset = db.prepare(`DELETE FROM "${table}" WHERE key = ?`);
    this.#purge = db.prepare(`DELETE FROM "${table}" WHERE reset_at <= ?`);
    this.#timer = setInterval(() => {
      try {
        this.purge();
      } catch {
        // Busy or closed: the next tick tries again, and hits ignore closed windows meanwhile.
      }
    }, purgeInterval).unref();
  }

  async hit(key: string, windowMs: number): Promise<AttemptCount> {
    const row = this.#hit.get({ key, now: Date.now(), window: windowMs })!;
    return { count: row.count, resetAt: row.reset_at };
  }

  async undo(key: string): Promise<void> {
    this.#undo.run(key, Date.now());
  }

  async reset(key: string): Promise<void> {
    this.#reset.run(key);
  }

  /** Deletes rows whose window has closed; returns how many. */
  purge(): number {
    return this.#purge.run(Date.now()).changes;
  }

  /** Stops the purge timer; the database stays open (it belongs to whoever passed it in). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
  }
}
