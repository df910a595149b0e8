import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import Database from 'better-sqlite3';
import { userRepositoryContract, type UserRepositoryFixture } from '../../test/contracts/user-repository.js';
import { migrateSqlite } from './migrations/sqlite.js';
import { SqliteUserRepository } from './sqlite.js';

async function sqliteFixture(): Promise<UserRepositoryFixture> {
  const root = await mkdtemp(join(tmpdir(), 'maru-users-'));
  // A directory that does not exist yet: the repository creates it on first run.
  const dataDir = join(root, 'data');
  return {
    open: async () => new SqliteUserRepository({ dataDir }),
    migrate: async () => {
      const db = new Database(join(dataDir, 'maru.db'), { timeout: 5000 });
      try {
        return migrateSqlite(db);
      } finally {
        db.close();
      }
    },
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}

describe('SqliteUserRepository', () => {
  userRepositoryContract(sqliteFixture);
});
