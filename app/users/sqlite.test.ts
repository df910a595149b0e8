import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { userRepositoryContract, type UserRepositoryFixture } from '../../test/contracts/user-repository.js';
import { openSqliteFile } from '../storage/sqlite-file.js';
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

describe('SqliteUserRepository set-up', () => {
  test('puts maru.db in WAL mode', async () => {
    const root = await mkdtemp(join(tmpdir(), 'maru-users-'));
    try {
      await new SqliteUserRepository({ dataDir: root }).close();
      const db = new Database(join(root, 'maru.db'), { readonly: true });
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      db.close();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test('on a connection it is given, migrates it and leaves it open on close() for its owner', async () => {
    const root = await mkdtemp(join(tmpdir(), 'maru-users-'));
    const db = openSqliteFile({ dataDir: root });
    try {
      const users = new SqliteUserRepository({ database: db });
      assert.equal((await users.create({ name: 'shared', passwordHash: 'h' })).ok, true);
      await users.close();
      assert.equal(db.open, true);
      assert.equal(db.prepare('SELECT name FROM users').pluck().get(), 'shared');
    } finally {
      db.close();
      await rm(root, { recursive: true, force: true });
    }
  });

  test('throws a TypeError naming the option for a bad dataDir or busyTimeoutMs', () => {
    assert.throws(() => new SqliteUserRepository({ dataDir: '' }), /option dataDir/);
    assert.throws(() => new SqliteUserRepository({ dataDir: 42 as unknown as string }), /option dataDir/);
    assert.throws(() => new SqliteUserRepository({ dataDir: tmpdir(), busyTimeoutMs: -1 }), /option busyTimeoutMs/);
    assert.throws(() => new SqliteUserRepository({ database: {} as never }), /option database/);
  });
});

describe('SqliteUserRepository kept pages', () => {
  // Sorted: two members created in the same millisecond are listed in the order of their random ids.
  const names = async (repo: SqliteUserRepository) => (JSON.parse((await repo.listJson({ limit: 10 })).json) as { name: string }[]).map((u) => u.name).sort();

  test('a page kept in memory shows every change, made here or by another connection to the file', async () => {
    const root = await mkdtemp(join(tmpdir(), 'maru-users-'));
    const here = new SqliteUserRepository({ dataDir: root });
    const there = new SqliteUserRepository({ dataDir: root });
    try {
      const ann = await here.create({ name: 'ann', passwordHash: 'x' });
      assert.deepEqual(await names(here), ['ann']);
      assert.deepEqual(await names(here), ['ann']); // now kept
      await there.create({ name: 'bob', passwordHash: 'x' });
      assert.deepEqual(await names(here), ['ann', 'bob']);
      assert.ok(ann.ok);
      await here.update(ann.user.id, { name: 'anna' });
      assert.deepEqual(await names(here), ['anna', 'bob']);
      const raw = new Database(join(root, 'maru.db'));
      raw.prepare("UPDATE users SET name = 'bobby' WHERE name = 'bob'").run();
      raw.close();
      assert.deepEqual(await names(here), ['anna', 'bobby']);
      await here.delete(ann.user.id);
      assert.deepEqual(await names(here), ['bobby']);
    } finally {
      await here.close();
      await there.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
