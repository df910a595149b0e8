import { rekeyNames, type StoredName } from '../name-key.js';

/**
 * The users schema, version by version, in both dialects side by side. A step is never edited once released: a
 * change is a new step. Both runners (sqlite.ts, postgres.ts) apply the pending steps in order, each in the
 * transaction that holds the migration lock, and record the version in `schema_migrations`.
 *
 * Columns, and why:
 * - id: a UUID from crypto.randomUUID(), never from the clock; PostgreSQL stores it as `uuid` (16 bytes).
 * - name: as the member typed it (trimmed, NFC). name_key: the uniqueness key (see name-key.ts), computed in JS so
 *   both databases agree on what collides; its UNIQUE constraint decides races.
 * - created_at, updated_at: UTC with milliseconds. SQLite keeps the ISO 8601 text, whose fixed width sorts in time
 *   order; PostgreSQL a timestamptz.
 * - users_created_at_id: the (created_at, id) index that list()'s keyset pagination seeks in.
 *
 * Version 2 changes what name_key means (invisible characters dropped, full case folding, look-alike letters of
 * other scripts folded: see name-key.ts) and re-keys every stored member in JS, in the same transaction.
 */
export interface MigrationStep {
  readonly version: number;
  readonly name: string;
  readonly sqlite: string;
  readonly postgres: string;
  /**
   * Run after the step's SQL: given every member (id, name, name_key) in creation order, the name keys that change,
   * by id. The runner writes them in two passes (each to a unique placeholder first), so a key handed from one
   * member to another never trips the unique index half way.
   */
  readonly rekey?: (members: readonly StoredName[]) => ReadonlyMap<string, string>;
}

export const STEPS: readonly MigrationStep[] = [
  {
    version: 1,
    name: 'create users',
    sqlite: `
      CREATE TABLE users (
        id            TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        name_key      TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX users_name_key ON users (name_key);
      CREATE INDEX users_created_at_id ON users (created_at, id);
    `,
    postgres: `
      CREATE TABLE users (
        id            uuid PRIMARY KEY,
        name          text NOT NULL,
        name_key      text NOT NULL,
        password_hash text NOT NULL,
        created_at    timestamptz(3) NOT NULL,
        updated_at    timestamptz(3) NOT NULL
      );
      CREATE UNIQUE INDEX users_name_key ON users (name_key);
      CREATE INDEX users_created_at_id ON users (created_at, id);
    `,
  },
  { version: 2, name: 'name keys fold invisible characters, case and look-alike letters', sqlite: '', postgres: '', rekey: rekeyNames },
];

/**
 * The placeholder key of a member between the two passes of a re-keying: U+2061 (a default-ignorable character,
 * so no nameKey() holds it) and the id, unique.
 */
export function placeholderKey(id: string): string {
  return `\u2061${id}`;
}

/** The bookkeeping table, the same in both dialects. */
export const MIGRATIONS_TABLE = {
  sqlite: `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
  postgres: `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
} as const;
