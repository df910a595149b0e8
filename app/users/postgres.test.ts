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
