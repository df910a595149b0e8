import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { attemptCounterContract } from '../../test/contracts/attempt-counter.js';
import { SqliteAttemptCounter } from './sqlite.js';

const dir = await mkdtemp(join(tmpdir(), 'maru-sqlite-attempts-'));
after(() => rm(dir, { recursive: true, force: true }));

attemptCounterContract('SqliteAttemptCounter', async () => {
  const db = new Database(join(dir, 'contract.db'));
  const counter = new SqliteAttemptCounter({ database: db });
  return {
    counter,
    cleanup: async () => {
      await counter.close();
      db.close();
    },
  };
});

test('SqliteAttemptCounter: hits from another process on the same file add to the same count', async () => {
  const file = join(dir, 'shared.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  const counter = new SqliteAttemptCounter({ database: db });
  const source = new URL('./sqlite.ts', import.meta.url).pathname;
  const script = `const Database = require('better-sqlite3'); const db = new Database(${JSON.stringify(file)}); db.pragma('busy_timeout = 5000');
    import(${JSON.stringify(source)}).then(async ({ SqliteAttemptCounter }) => {
      const counter = new SqliteAttemptCounter({ database: db });
      for (let i = 0; i < 25; i++) await counter.hit('shared', 60000);
      await counter.close(); db.close();
    });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'inherit', 'inherit'] });
  for (let i = 0; i < 25; i++) await counter.hit('shared', 60_000);
  const [code] = (await once(child, 'exit')) as [number];
  assert.equal(code, 0);
  assert.equal((await counter.hit('shared', 60_000)).count, 51);
  await counter.close();
  db.close();
});

test('SqliteAttemptCounter purges closed windows on its own timer, and leaves the database open on close', async () => {
  const db = new Database(':memory:');
  const counter = new SqliteAttemptCounter({ database: db, table: 'app_attempts', purgeInterval: 20 });
  await counter.hit('short', 5);
  await counter.hit('long', 60_000);
  await sleep(80);
  assert.equal((db.prepare('SELECT count(*) AS n FROM app_attempts').get() as { n: number }).n, 1);
  await counter.close();
  assert.equal(db.open, true);
  db.close();
});

test('SqliteAttemptCounter rejects a table name that is not a plain identifier, and anything but a Database', () => {
  const db = new Database(':memory:');
  assert.throws(() => new SqliteAttemptCounter({ database: db, table: 'x; DROP TABLE users' }), /option table must be a plain SQL identifier/);
  assert.throws(() => new SqliteAttemptCounter({ database: './file.db' as unknown as Database.Database }), /option database must be an open better-sqlite3 Database/);
  db.close();
});
