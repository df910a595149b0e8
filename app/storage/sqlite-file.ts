import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type Database from 'better-sqlite3';

/** The app's database file, in the data directory. */
export const DATABASE_FILE = 'maru.db';
// SQLite's companions of a WAL database (https://www.sqlite.org/wal.html#the_wal_file): it creates them with the
// main file's permissions, so making that file 0600 first covers them too.
const COMPANIONS = ['-wal', '-shm'];
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

export interface SqliteFileOptions {
  /** Directory of `maru.db`; created (with parents) when missing, readable by its owner only. */
  readonly dataDir: string;
  /**
   * How long a statement waits for another process's lock before failing, ms. One value for the whole file:
   * members, sessions and whatever else shares the connection.
   */
  readonly busyTimeoutMs?: number;
}

/**
 * Opens `<dataDir>/maru.db`, the one connection the app keeps to it. The directory is created 0700 and the file
 * (with its `-wal` and `-shm`) 0600: it holds password hashes and sessions. An existing file more open than that is
 * narrowed. The file is put in WAL mode, so cluster workers on one machine share it (readers never wait for the
 * writer), with `synchronous = NORMAL` and foreign keys on. Start-up only: every call here is synchronous.
 *
 * @example
 * const db = openSqliteFile({ dataDir: './data' });
 * const users = new SqliteUserRepository({ database: db });
 */
export function openSqliteFile({ dataDir, busyTimeoutMs = 5000 }: SqliteFileOptions): Database.Database {
  if (typeof dataDir !== 'string' || dataDir === '') throw new TypeError(`option dataDir must be a directory path, got ${String(dataDir)}`);
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new TypeError(`option busyTimeoutMs must be a non-negative integer, got ${busyTimeoutMs}`);
  }
  mkdirSync(dataDir, { recursive: true, mode: DIR_MODE });
  const file = join(dataDir, DATABASE_FILE);
  // Created here, not by SQLite (which would make it 0644 less the umask); 'a' never truncates one that exists.
  closeSync(openSync(file, 'a', FILE_MODE));
  for (const path of [file, ...COMPANIONS.map((suffix) => file + suffix)]) narrowMode(path);
  // better-sqlite3's timeout is SQLite's busy timeout (sqlite3_busy_timeout), set once for the connection.
  // Required rather than imported: importing a CommonJS package makes Node parse its source for export names first.
  const BetterSqlite3 = createRequire(import.meta.url)('better-sqlite3') as typeof Database;
  const db = new BetterSqlite3(file, { timeout: busyTimeoutMs });
  try {
    db.pragma('journal_mode = WAL');
    // WAL with synchronous=NORMAL is durable across application crashes; only a power loss can drop the last
    // commits (https://www.sqlite.org/pragma.html#pragma_synchronous).
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Takes group and other permissions off an existing file; a missing one is left missing. */
function narrowMode(path: string): void {
  const mode = statSync(path, { throwIfNoEntry: false })?.mode;
  if (mode !== undefined && (mode & 0o077) !== 0) chmodSync(path, mode & FILE_MODE);
}
