import type { Database } from 'better-sqlite3';
import type { StoredName } from '../name-key.js';
import { MIGRATIONS_TABLE, placeholderKey, STEPS, type MigrationStep } from './steps.js';

/**
 * Brings a SQLite database's users schema up to date; returns the versions it applied (none when already current).
 * Safe to run again and from several processes at once (cluster workers starting together): BEGIN IMMEDIATE takes
 * SQLite's write lock before `schema_migrations` is read, so the first process applies the steps and the others,
 * waiting on busy_timeout, find them recorded and apply nothing. A failing step rolls back with its record.
 *
 * Every start but the first finds the schema current: one read says so, and the write lock is not taken at all
 * (so workers starting together do not queue for it, nor wait on a writer that is serving requests).
 *
 * @example
 * migrateSqlite(db) // [1] on a fresh file, [] afterwards
 */
export function migrateSqlite(db: Database, steps: readonly MigrationStep[] = STEPS): number[] {
  if (isCurrent(db, steps)) return [];
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(MIGRATIONS_TABLE.sqlite);
    const applied = new Set(
      db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[],
    );
    const pending = steps.filter((step) => !applied.has(step.version));
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const step of pending) {
      db.exec(step.sqlite);
      if (step.rekey !== undefined) rekey(db, step.rekey);
      record.run(step.version, step.name, new Date().toISOString());
    }
    db.exec('COMMIT');
    return pending.map((step) => step.version);
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

/** Writes a step's new name keys: every changed member to its placeholder first, then to its key. */
function rekey(db: Database, compute: NonNullable<MigrationStep['rekey']>): void {
  const members = db.prepare('SELECT id, name, name_key AS key FROM users ORDER BY created_at, id').all() as StoredName[];
  const keys = compute(members);
  const set = db.prepare('UPDATE users SET name_key = ? WHERE id = ?');
  for (const id of keys.keys()) set.run(placeholderKey(id), id);
  for (const [id, key] of keys) set.run(key, id);
}

/** Whether every step is recorded already: one read, no lock beyond a reader's. */
function isCurrent(db: Database, steps: readonly MigrationStep[]): boolean {
  const hasTable = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'").get() !== undefined;
  if (!hasTable) return false;
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  return steps.every((step) => applied.has(step.version));
}
