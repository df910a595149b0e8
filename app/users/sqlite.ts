import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { openSqliteFile } from '../storage/sqlite-file.js';
import { checkLimit, decodeCursor } from './cursor.js';
import { migrateSqlite } from './migrations/sqlite.js';
import { legacyNameKey, nameKey } from './name-key.js';
import { pageOfJsonRows } from './page-json.js';
import type { User, UserPage, UserPageJson, UserRecord, UserRepository, WriteConflict } from './repo.js';

export type SqliteUserRepositoryOptions =
  /** The app's open `maru.db` (see openSqliteFile), shared with others: the repository never closes it. */
  | { readonly database: Database.Database }
  /**
   * Or a directory: the repository opens `<dataDir>/maru.db` itself (openSqliteFile, with this busy timeout) and
   * closes it on close().
   */
  | { readonly dataDir: string; readonly busyTimeoutMs?: number };

interface Row {
  id: string;
  name: string;
  password_hash: string;
  created_at: string;
  updated_at: string;
}

const COLUMNS = 'id, name, password_hash, created_at, updated_at';
// What a page of the list reads: each member as the JSON of a User, made by SQLite (no password hash). One string
// per row instead of an object of four: 101 rows to the JSON of the page in ~60 µs of CPU, against ~170 µs for
// row objects and JSON.stringify (measured here, median of 12 rounds).
/** How many pages of the list listJson keeps at most (about 15 KB each at 100 members a page). */
const MAX_KEPT_PAGES = 64;
const USER_JSON = "json_object('id', id, 'name', name, 'createdAt', created_at, 'updatedAt', updated_at)";

/**
 * Members in the app's SQLite file, `maru.db`, through better-sqlite3: on a connection it is given (shared with the
 * sessions), or on one it opens from a data directory. Either way the file is in WAL mode (readers never wait for
 * the writer, and cluster workers can share it), with a busy timeout so a worker waits for another's write lock
 * instead of failing (see openSqliteFile). The constructor runs the migrations.
 *
 * better-sqlite3 is synchronous: each call here is one indexed statement on a local file (microseconds), so the
 * event loop is not held in any way that matters; the async interface lets PostgreSQL stand in unchanged.
 *
 * @example
 * const users = new SqliteUserRepository({ dataDir: './data' });
 * const created = await users.create({ name: '홍길동', passwordHash });
 */
export class SqliteUserRepository implements UserRepository {
  readonly #db: Database.Database;
  readonly #owned: boolean;
  readonly #statements: ReturnType<typeof prepare>;
  /** Pages of listJson by limit and cursor, valid while no connection has changed the database (see listJson). */
  readonly #pages = new Map<string, UserPageJson>();
  #pagesVersion: number | undefined;

  constructor(options: SqliteUserRepositoryOptions) {
    this.#owned = !('database' in options);
    const db = 'database' in options ? checkDatabase(options.database) : openSqliteFile(options);
    try {
      migrateSqlite(db);
      this.#statements = prepare(db);
    } catch (err) {
      if (this.#owned) db.close();
      throw err;
    }
    this.#db = db;
  }

  async create(input: { name: string; passwordHash: string }): Promise<{ readonly ok: true; readonly user: User } | WriteConflict> {
    const now = new Date().toISOString();
    const row: Row = { id: randomUUID(), name: input.name, password_hash: input.passwordHash, created_at: now, updated_at: now };
    try {
      this.#statements.insert.run({ ...row, name_key: nameKey(input.name) });
      this.#pages.clear();
    } catch (err) {
      if (isUniqueViolation(err)) return { ok: false, reason: 'name-taken' };
      throw err;
    }
    return { ok: true, user: toUser(row) };
  }

  async findById(id: string): Promise<UserRecord | undefined> {
    const row = this.#statements.byId.get(id);
    return row === undefined ? undefined : toRecord(row);
  }

  async findByName(name: string): Promise<UserRecord | undefined> {
    const row = this.#statements.byNameKey.get({ key: nameKey(name), legacy: legacyNameKey(name) });
    return row === undefined ? undefined : toRecord(row);
  }

  async list(options: { limit: number; cursor?: string }): Promise<UserPage> {
    const page = await this.listJson(options);
    return { users: JSON.parse(page.json) as User[], nextCursor: page.nextCursor };
  }

  /**
   * Pages are kept in memory and served again while the database is unchanged: `PRAGMA data_version` moves when
   * another connection (another process, a cluster worker) commits, and this connection's own writes go through
   * create, update and delete, which drop the pages. So a page is never stale, and a repeated one costs a pragma
   * (~2 µs) instead of a query (~60 µs of CPU for 101 rows, measured here).
   */
  async listJson(options: { limit: number; cursor?: string }): Promise<UserPageJson> {
    const limit = checkLimit(options.limit);
    const version = this.#statements.dataVersion.get();
    if (version !== this.#pagesVersion) {
      this.#pages.clear();
      this.#pagesVersion = version;
    }
    const key = options.cursor === undefined ? String(limit) : `${limit} ${options.cursor}`;
    const kept = this.#pages.get(key);
    if (kept !== undefined) return kept;
    // One row past the page says whether there is a next one. A malformed cursor throws here, and is never kept.
    const rows =
      options.cursor === undefined
        ? this.#statements.first.all(limit + 1)
        : this.#statements.after.all({ ...decodeCursor(options.cursor), limit: limit + 1 });
    const page = pageOfJsonRows(rows, limit);
    // Bounded: every valid cursor is a key, and a client can make many.
    if (this.#pages.size >= MAX_KEPT_PAGES) this.#pages.clear();
    this.#pages.set(key, page);
    return page;
  }

  async update(
    id: string,
    changes: { name?: string; passwordHash?: string },
  ): Promise<{ readonly ok: true; readonly user: User } | WriteConflict | undefined> {
    if (changes.name === undefined && changes.passwordHash === undefined) {
      const row = this.#statements.byId.get(id);
      return row === undefined ? undefined : { ok: true, user: toUser(row) };
    }
    const params = {
      id,
      name: changes.name ?? null,
      name_key: changes.name === undefined ? null : nameKey(changes.name),
      password_hash: changes.passwordHash ?? null,
      updated_at: new Date().toISOString(),
    };
    try {
      const row = this.#statements.update.get(params);
      this.#pages.clear();
      return row === undefined ? undefined : { ok: true, user: toUser(row) };
    } catch (err) {
      if (isUniqueViolation(err)) return { ok: false, reason: 'name-taken' };
      throw err;
    }
  }

  async delete(id: string): Promise<boolean> {
    const deleted = this.#statements.delete.run(id).changes > 0;
    if (deleted) this.#pages.clear();
    return deleted;
  }

  /** Closes the file when the repository opened it; a shared connection is its owner's to close. */
  async close(): Promise<void> {
    if (this.#owned && this.#db.open) this.#db.close();
  }
}

function checkDatabase(database: Database.Database): Database.Database {
  if (database === null || typeof database !== 'object' || typeof database.prepare !== 'function' || !database.open) {
    throw new TypeError('option database must be an open better-sqlite3 Database');
  }
  return database;
}

function prepare(db: Database.Database) {
  return {
    insert: db.prepare<{ id: string; name: string; name_key: string; password_hash: string; created_at: string; updated_at: string }>(
      `INSERT INTO users (id, name, name_key, password_hash, created_at, updated_at)
       VALUES (:id, :name, :name_key, :password_hash, :created_at, :updated_at)`,
    ),
    byId: db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM users WHERE id = ?`),
    // A member kept under their pre-version-2 key (name-key.ts, legacyNameKey) is found by the exact name they
    // registered, before the member who holds the name's new key.
    byNameKey: db.prepare<{ key: string; legacy: string }, Row>(
      `SELECT ${COLUMNS} FROM users WHERE name_key IN (:key, :legacy) ORDER BY name_key = :legacy DESC LIMIT 1`,
    ),
    first: db.prepare<[number], string>(`SELECT ${USER_JSON} FROM users ORDER BY created_at, id LIMIT ?`).pluck(),
    // A row value comparison, so SQLite seeks the (created_at, id) index instead of scanning.
    after: db
      .prepare<{ createdAt: string; id: string; limit: number }, string>(
        `SELECT ${USER_JSON} FROM users WHERE (created_at, id) > (:createdAt, :id) ORDER BY created_at, id LIMIT :limit`,
      )
      .pluck(),
    // NULL means "leave as is"; updated_at changes even when only the password does.
    update: db.prepare<{ id: string; name: string | null; name_key: string | null; password_hash: string | null; updated_at: string }, Row>(
      `UPDATE users SET name = coalesce(:name, name), name_key = coalesce(:name_key, name_key),
              password_hash = coalesce(:password_hash, password_hash), updated_at = :updated_at
       WHERE id = :id RETURNING ${COLUMNS}`,
    ),
    delete: db.prepare<[string]>('DELETE FROM users WHERE id = ?'),
    // https://www.sqlite.org/pragma.html#pragma_data_version
    dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
  };
}

// By its code (better-sqlite3's SqliteError carries SQLite's extended code): no need to load the module to check.
function isUniqueViolation(err: unknown): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

// Built field by field, so the password hash can never ride along into a User.
function toUser(row: Row): User {
  return { id: row.id, name: row.name, createdAt: row.created_at, updatedAt: row.updated_at };
}

function toRecord(row: Row): UserRecord {
  return { ...toUser(row), passwordHash: row.password_hash };
}
