import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { userRepositoryContract, type UserRepositoryFixture } from '../../test/contracts/user-repository.js';
import { DATABASE_URL, serviceSkip } from '../../test/services.js';
import { migratePostgres } from './migrations/postgres.js';
import { PostgresUserRepository } from './postgres.js';

const skip = await serviceSkip('postgres');
const admin = skip ? undefined : new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
after(() => admin?.end());

// Each test gets its own schema, named for this run, and drops it afterwards.
async function postgresFixture(): Promise<UserRepositoryFixture> {
  const schema = `maru_users_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  return {
    open: () => PostgresUserRepository.open({ pg, connectionString: DATABASE_URL, schema, maxConnections: 5 }),
    migrate: async () => {
      const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
      try {
        return await migratePostgres(pool, schema);
      } finally {
        await pool.end();
      }
    },
    dispose: async () => {
      await admin!.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}

describe('PostgresUserRepository', { skip }, () => {
  userRepositoryContract(postgresFixture);
});

describe('PostgresUserRepository set-up', () => {
  test('throws a TypeError naming the option for a bad URL, schema or pool size', async () => {
    await assert.rejects(PostgresUserRepository.open({ pg, connectionString: 'mysql://x' }), /option connectionString/);
    for (const schema of ['', 'Upper', 'a;DROP', 'a"b', '1abc', 'x'.repeat(64)]) {
      await assert.rejects(PostgresUserRepository.open({ pg, connectionString: DATABASE_URL, schema }), /option schema/, schema);
    }
    await assert.rejects(PostgresUserRepository.open({ pg, connectionString: DATABASE_URL, maxConnections: 0 }), /option maxConnections/);
  });
});

describe('PostgresUserRepository list times', { skip }, () => {
  test('lists a time whose milliseconds end in zeros, or are zero, in full toISOString() form', async () => {
    const schema = `maru_users_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    const repo = await PostgresUserRepository.open({ pg, connectionString: DATABASE_URL, schema, maxConnections: 1 });
    try {
      const created = await repo.create({ name: 'zeros', passwordHash: 'x' });
      assert.ok(created.ok);
      // Times whose text PostgreSQL would cut short (05.5, 05): the list must still write all three digits.
      await admin!.query(`UPDATE ${schema}.users SET created_at = $2, updated_at = $3 WHERE id = $1`, [created.user.id, '2026-01-02T03:04:05.500Z', '2026-01-02T03:04:05.000Z']);
      const [user] = JSON.parse((await repo.listJson({ limit: 1 })).json) as { createdAt: string; updatedAt: string }[];
      assert.equal(user?.createdAt, '2026-01-02T03:04:05.500Z');
      assert.equal(user?.updatedAt, '2026-01-02T03:04:05.000Z');
    } finally {
      await repo.close();
      await admin!.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  });
});
