import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import pg from 'pg';
import { DATABASE_URL, serviceSkip } from '../../../test/services.js';
import { PostgresUserRepository } from '../postgres.js';
import { migratePostgres } from './postgres.js';
import { STEPS } from './steps.js';

const skip = await serviceSkip('postgres');
const admin = skip ? undefined : new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
after(() => admin?.end());

describe('migratePostgres', { skip }, () => {
  let schema: string;
  beforeEach(() => {
    schema = `maru_migrations_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  });
  afterEach(() => admin!.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));

  /** Runs migratePostgres on its own pool, as a separate process would. */
  async function migrateAlone(steps = STEPS): Promise<number[]> {
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
    try {
      return await migratePostgres(pool, schema, steps);
    } finally {
      await pool.end();
    }
  }

  test('creates the schema and applies every step, then nothing', async () => {
    assert.deepEqual(await migrateAlone(), STEPS.map((s) => s.version));
    assert.deepEqual(await migrateAlone(), []);
    const { rows } = await admin!.query(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
    assert.deepEqual(rows.map((r: { version: number }) => r.version), STEPS.map((s) => s.version));
  });

  test('runs started at once on a fresh schema apply each step exactly once', async () => {
    // ADD COLUMN fails when run twice, so a second application would reject.
    const steps = [...STEPS, { version: 1000, name: 'add note', sqlite: '', postgres: 'ALTER TABLE users ADD COLUMN note text' }];
    const results = await Promise.all(Array.from({ length: 6 }, () => migrateAlone(steps)));
    const applied = results.filter((versions) => versions.length > 0);
    assert.deepEqual(applied, [[...STEPS.map((s) => s.version), 1000]]);
  });

  test('a failing step rolls back the whole run, schema included, and records nothing', async () => {
    const broken = [...STEPS, { version: 99, name: 'broken', sqlite: '', postgres: 'SELECT * FROM no_such_table' }];
    await assert.rejects(migrateAlone(broken), /no_such_table/);
    const { rows } = await admin!.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    assert.equal(rows.length, 0);
    assert.deepEqual(await migrateAlone(), STEPS.map((s) => s.version));
  });
});

describe('migratePostgres to version 2', { skip }, () => {
  const schema = `maru_rekey_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  after(() => admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));

  test('re-keys stored members, and members whose names now collide all stay, each found by the name they registered', async () => {
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
    try {
      assert.deepEqual(await migratePostgres(pool, schema, STEPS.slice(0, 1)), [1]);
      // Members as version 1 stored them: key = NFKC + lower case. 'Top' held 'top' before Cyrillic 'ТОР' folds onto it.
      const members = [
        ['bob', 'bob'],
        ['bob\u200D', 'bob\u200D'],
        ['\u0422\u041E\u0420', '\u0442\u043E\u0440'],
        ['alice', 'alice'],
        ['Top', 'top'],
      ] as const;
      for (const [i, [name, key]] of members.entries()) {
        const at = new Date(Date.UTC(2024, 0, 1, 0, 0, i));
        await admin!.query(`INSERT INTO ${schema}.users VALUES ($1, $2, $3, 'hash', $4, $4)`, [randomUUID(), name, key, at]);
      }
      assert.deepEqual(await migratePostgres(pool, schema), [2]);
      const { rows } = await admin!.query(`SELECT name_key FROM ${schema}.users ORDER BY created_at`);
      assert.deepEqual(rows.map((row: { name_key: string }) => row.name_key), ['bob', '\u2060bob\u200D', 'top', 'alice', '\u2060top']);
    } finally {
      await pool.end();
    }
    const users = await PostgresUserRepository.open({ pg, connectionString: DATABASE_URL, schema, maxConnections: 1 });
    try {
      for (const name of ['bob', 'bob\u200D', '\u0422\u041E\u0420', 'alice', 'Top']) {
        assert.equal((await users.findByName(name))?.name, name, JSON.stringify(name));
      }
      assert.deepEqual(await users.create({ name: 'BOB', passwordHash: 'h' }), { ok: false, reason: 'name-taken' });
    } finally {
      await users.close();
    }
  });
});
