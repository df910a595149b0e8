import type { Pool, PoolClient } from 'pg';
import type { StoredName } from '../name-key.js';
import { MIGRATIONS_TABLE, placeholderKey, STEPS, type MigrationStep } from './steps.js';

/**
 * Brings a PostgreSQL schema's users tables up to date; returns the versions it applied (none when already
 * current). Safe to run again and from several processes at once: the whole run is one transaction that first
 * takes a transaction-level advisory lock keyed by the schema name, so concurrent runs queue, and each later one
 * finds the steps recorded. The schema itself is created under the lock too (CREATE SCHEMA IF NOT EXISTS is not
 * race-free on its own: two sessions can both pass the check and one fails on pg_namespace's unique index).
 * PostgreSQL's DDL is transactional, so a failing step leaves nothing behind.
 *
 * @example
 * await migratePostgres(pool, 'public') // [1] on a fresh database, [] afterwards
 */
export async function migratePostgres(pool: Pool, schema: string, steps: readonly MigrationStep[] = STEPS): Promise<number[]> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`maru.users.migrations:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await client.query(`SET LOCAL search_path TO ${quoteIdentifier(schema)}`);
    await client.query(MIGRATIONS_TABLE.postgres);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => row.version));
    const pending = steps.filter((step) => !applied.has(step.version));
    for (const step of pending) {
      await client.query(step.postgres);
      if (step.rekey !== undefined) await rekey(client, step.rekey);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [step.version, step.name]);
    }
    await client.query('COMMIT');
    return pending.map((step) => step.version);
  } catch (err) {
    // A connection that cannot even roll back is dropped from the pool rather than reused.
    await client.query('ROLLBACK').catch(() => (broken = true));
    throw err;
  } finally {
    client.release(broken);
  }
}

/**
 * Writes a step's new name keys in two statements (every changed member to its placeholder, then to its key):
 * PostgreSQL checks a unique index row by row within a statement, so keys moving between members could collide.
 */
async function rekey(client: PoolClient, compute: NonNullable<MigrationStep['rekey']>): Promise<void> {
  const { rows } = await client.query<StoredName>('SELECT id, name, name_key AS key FROM users ORDER BY created_at, id');
  const keys = compute(rows);
  if (keys.size === 0) return;
  const ids = [...keys.keys()];
  await client.query('UPDATE users AS u SET name_key = p.key FROM unnest($1::uuid[], $2::text[]) AS p(id, key) WHERE u.id = p.id', [ids, ids.map(placeholderKey)]);
  await client.query('UPDATE users AS u SET name_key = n.key FROM unnest($1::uuid[], $2::text[]) AS n(id, key) WHERE u.id = n.id', [ids, [...keys.values()]]);
}

/** SQL identifier quoting (PostgreSQL manual §4.1.1): double quotes, inner quotes doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
