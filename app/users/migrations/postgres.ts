import type { Pool } from 'pg';
import { MIGRATIONS_TABLE, STEPS, type MigrationStep } from './steps.js';

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

/** SQL identifier quoting (PostgreSQL manual §4.1.1): double quotes, inner quotes doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
