import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import type { SessionStore, StoredSession } from './store.js';

type Db = Database.Database;

/**
 * Options of {@link SqliteStore}.
 *
 * @example
 * new SqliteStore({ database: 'data/sessions.db', purgeInterval: 60_000, busyTimeout: 5_000 });
 */
export interface SqliteStoreOptions {
  /** A file path (opened and owned by the store), or an open better-sqlite3 Database shared with the app. */
  database: string | Db;
  /** Table name; created when missing. */
  table?: string;
  /** How often (ms) expired rows are deleted. */
  purgeInterval?: number;
  /** How long (ms) a statement waits for another process's write lock before failing (and the request gets 503). */
  busyTimeout?: number;
}

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Sessions in a SQLite file (better-sqlite3), e.g. the app's own `./data/maru.db`. The file is put in WAL mode
 * (readers never wait for the writer) with a busy timeout, so the workers of a cluster on one machine share it
 * safely: every operation is a single statement, atomic on its own. Expired rows are never returned and are deleted
 * by an unref'd timer in each process. The owner of a session is a column with a (partial) index, so
 * `destroyByOwner` is one indexed DELETE.
 *
 * better-sqlite3 is synchronous: a statement runs on the event loop. Session statements hit the primary key and take
 * microseconds; only a lock held by another process can make one wait, for at most `busyTimeout`.
 *
 * @example
 * const store = new SqliteStore({ database: './data/maru.db' });
 * app.use(sessions({ store }));
 */
export class SqliteStore implements SessionStore {
  readonly #db: Db;
  readonly #owned: boolean;
  readonly #timer: NodeJS.Timeout;
  readonly #get: Database.Statement<[string, number], { session: string }>;
  readonly #set: Database.Statement<[string, string, number, string | null]>;
  readonly #update: Database.Statement<[string, number, string | null, string, number]>;
  readonly #destroy: Database.Statement<[string]>;
  readonly #destroyByOwner: Database.Statement<[string, string | null], { expires_at: number }>;
  readonly #purge: Database.Statement<[number]>;

  constructor({ database, table = 'sessions', purgeInterval = 5 * 60_000, busyTimeout = 2000 }: SqliteStoreOptions) {
    if (!TABLE_NAME.test(table)) throw new TypeError(`option table must be a plain SQL identifier, got ${JSON.stringify(table)}`);
    if (!Number.isSafeInteger(purgeInterval) || purgeInterval <= 0) {
      throw new TypeError(`option purgeInterval must be a positive integer, got ${purgeInterval}`);
    }
    if (!Number.isSafeInteger(busyTimeout) || busyTimeout < 0) throw new TypeError(`option busyTimeout must be a non-negative integer, got ${busyTimeout}`);
    if (typeof database === 'string') {
      if (database === '') throw new TypeError('option database must be a file path or an open Database, got an empty string');
      if (database !== ':memory:') mkdirSync(dirname(database), { recursive: true });
      // Required when needed rather than imported: importing a CommonJS package makes Node parse it for export names.
      this.#db = new (createRequire(import.meta.url)('better-sqlite3') as typeof Database)(database);
      this.#owned = true;
    } else if (database !== null && typeof database === 'object' && typeof database.prepare === 'function') {
      this.#db = database;
      this.#owned = false;
    } else {
      throw new TypeError('option database must be a file path or an open better-sqlite3 Database');
    }
    const db = this.#db;
    // Start-up only (these calls are synchronous). WAL lets readers in other processes run beside the one writer.
    if (!db.memory && db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
    if (this.#owned || db.pragma('busy_timeout', { simple: true }) === 0) db.pragma(`busy_timeout = ${busyTimeout}`);
    migrate(db, table);
    this.#get = db.prepare(`SELECT session FROM "${table}" WHERE id = ? AND expires_at > ?`);
    this.#set = db.prepare(
      `INSERT INTO "${table}" (id, session, expires_at, owner) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET session = excluded.session, expires_at = excluded.expires_at, owner = excluded.owner`,
    );
    this.#update = db.prepare(`UPDATE "${table}" SET session = ?, expires_at = ?, owner = ? WHERE id = ? AND expires_at > ?`);
    this.#destroy = db.prepare(`DELETE FROM "${table}" WHERE id = ?`);
    // Expired rows of the owner go too; only live ones are counted.
    this.#destroyByOwner = db.prepare(`DELETE FROM "${table}" WHERE owner = ? AND id IS NOT ? RETURNING expires_at`);
    this.#purge = db.prepare(`DELETE FROM "${table}" WHERE expires_at <= ?`);
    this.#timer = setInterval(() => {
      try {
        this.purge();
      } catch {
        // Busy or closed: the next tick tries again, and reads ignore expired rows meanwhile.
      }
    }, purgeInterval).unref();
  }

  /** The better-sqlite3 Database the store works on, e.g. to keep an AttemptCounter in the same file. */
  get database(): Db {
    return this.#db;
  }

  async get(id: string): Promise<StoredSession | undefined> {
    const row = this.#get.get(id, Date.now());
    if (row === undefined) return undefined;
    try {
      return JSON.parse(row.session) as StoredSession;
    } catch {
      return undefined;
    }
  }

  async set(id: string, session: StoredSession, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) {
      this.#destroy.run(id);
      return;
    }
    this.#set.run(id, JSON.stringify(session), Date.now() + ttlMs, ownerOf(session));
  }

  async update(id: string, session: StoredSession, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    if (ttlMs <= 0) return this.#destroy.run(id).changes > 0;
    return this.#update.run(JSON.stringify(session), now + ttlMs, ownerOf(session), id, now).changes > 0;
  }

  async destroy(id: string): Promise<void> {
    this.#destroy.run(id);
  }

  async destroyByOwner(owner: string, exceptId?: string): Promise<number> {
    const now = Date.now();
    return this.#destroyByOwner.all(owner, exceptId ?? null).filter((row) => row.expires_at > now).length;
  }

  /** Deletes expired rows now; returns how many. */
  purge(): number {
    return this.#purge.run(Date.now()).changes;
  }

  /** Stops the purge timer; closes the database only when the store opened it. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    if (this.#owned && this.#db.open) this.#db.close();
  }
}

function ownerOf(session: StoredSession): string | null {
  return typeof session.owner === 'string' ? session.owner : null;
}

/**
 * Creates the table, or brings one made by an earlier version up to date, inside one IMMEDIATE transaction so that
 * workers starting at once do it one after the other. The owner column came with hashed keys: rows of a table
 * without it are keyed by raw session ids, which no cookie can match any more, so they are deleted (everyone logs
 * in again once) rather than left in the file until they expire.
 */
function migrate(db: Db, table: string): void {
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS "${table}" (id TEXT PRIMARY KEY, session TEXT NOT NULL, expires_at INTEGER NOT NULL, owner TEXT) WITHOUT ROWID`);
    const columns = db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[];
    if (!columns.some((column) => column.name === 'owner')) db.exec(`DELETE FROM "${table}"; ALTER TABLE "${table}" ADD COLUMN owner TEXT`);
    db.exec(`CREATE INDEX IF NOT EXISTS "${table}_expires_at" ON "${table}" (expires_at);
      CREATE INDEX IF NOT EXISTS "${table}_owner" ON "${table}" (owner) WHERE owner IS NOT NULL;`);
  }).immediate();
}
