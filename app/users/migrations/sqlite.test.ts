import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, test } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteUserRepository } from '../sqlite.js';
import { migrateSqlite } from './sqlite.js';
import { STEPS } from './steps.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'maru-migrations-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Runs `code` (an ES module body) in `count` node processes at once; each gets its index as process.argv[1]. */
async function inProcesses(count: number, code: string, args: readonly string[]): Promise<string[]> {
  const runs = Array.from({ length: count }, (_, i) =>
    new Promise<string>((resolve, reject) => {
      const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, String(i), ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      proc.on('close', (code) => (code === 0 ? resolve(stdout.trim()) : reject(new Error(`child ${i} exited ${code}: ${stderr}`))));
    }),
  );
  return Promise.all(runs);
}

function open(): Database.Database {
  return new Database(join(dir, 'maru.db'), { timeout: 5000 });
}

test('applies every step to a fresh database, then nothing', () => {
  const db = open();
  try {
    assert.deepEqual(migrateSqlite(db), STEPS.map((step) => step.version));
    assert.deepEqual(migrateSqlite(db), []);
    assert.deepEqual(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all(), STEPS.map((s) => s.version));
  } finally {
    db.close();
  }
});

test('finds a current schema without taking the write lock another connection holds', () => {
  const db = open();
  const writer = open();
  const starting = new Database(join(dir, 'maru.db'), { timeout: 0 });
  try {
    db.pragma('journal_mode = WAL');
    migrateSqlite(db);
    writer.exec('BEGIN IMMEDIATE');
    // With timeout 0, asking for the lock the writer holds would throw SQLITE_BUSY at once.
    assert.deepEqual(migrateSqlite(starting), []);
  } finally {
    writer.exec('ROLLBACK');
    for (const connection of [starting, writer, db]) connection.close();
  }
});

test('a failing step rolls back with everything before it in the same run, and records nothing', () => {
  const db = open();
  try {
    const broken = [...STEPS, { version: 99, name: 'broken', sqlite: 'CREATE TABLE extra (x); SELECT * FROM no_such_table;', postgres: '' }];
    assert.throws(() => migrateSqlite(db, broken), /no such table/);
    assert.equal(db.inTransaction, false);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    assert.deepEqual(tables, [], 'not even the users table or schema_migrations stay behind');
    assert.deepEqual(migrateSqlite(db), STEPS.map((step) => step.version), 'a later good run applies the steps');
  } finally {
    db.close();
  }
});

test('several processes starting on one fresh file at once apply the steps once and all work', async () => {
  const dataDir = join(dir, 'data');
  const repoModule = fileURLToPath(new URL('../sqlite.ts', import.meta.url));
  // Every child opens the file at the same moment, after tsx has loaded.
  const child = `
    const [index, modulePath, dataDir, startAt] = process.argv.slice(1);
    const { SqliteUserRepository } = await import(modulePath);
    while (Date.now() < Number(startAt)) {}
    const users = new SqliteUserRepository({ dataDir });
    const result = await users.create({ name: 'worker ' + index, passwordHash: 'h' });
    await users.close();
    if (!result.ok) process.exit(3);
  `;
  await inProcesses(5, child, [repoModule, dataDir, String(Date.now() + 1500)]);

  const db = new Database(join(dataDir, 'maru.db'), { readonly: true });
  try {
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.deepEqual(db.prepare('SELECT version FROM schema_migrations').pluck().all(), STEPS.map((s) => s.version));
    assert.deepEqual(db.prepare('SELECT name FROM users ORDER BY name').pluck().all(), [0, 1, 2, 3, 4].map((i) => `worker ${i}`));
  } finally {
    db.close();
  }
});

test('a new step run by several processes at once is applied by exactly one of them', async () => {
  const db = open();
  db.pragma('journal_mode = WAL');
  migrateSqlite(db);
  db.close();
  const migrationsModule = fileURLToPath(new URL('./sqlite.ts', import.meta.url));
  const stepsModule = fileURLToPath(new URL('./steps.ts', import.meta.url));
  // ADD COLUMN fails when run twice, so a second application would make a child exit non-zero.
  const child = `
    import { createRequire } from 'node:module';
    const [, migrationsModule, stepsModule, file, startAt] = process.argv.slice(1);
    const Database = createRequire(migrationsModule)('better-sqlite3');
    const { migrateSqlite } = await import(migrationsModule);
    const { STEPS } = await import(stepsModule);
    const step = { version: 1000, name: 'add note', sqlite: 'ALTER TABLE users ADD COLUMN note TEXT', postgres: '' };
    while (Date.now() < Number(startAt)) {}
    const db = new Database(file, { timeout: 5000 });
    console.log(JSON.stringify(migrateSqlite(db, [...STEPS, step])));
    db.close();
  `;
  const outputs = await inProcesses(5, child, [migrationsModule, stepsModule, join(dir, 'maru.db'), String(Date.now() + 1500)]);
  assert.deepEqual(outputs.sort(), ['[1000]', '[]', '[]', '[]', '[]'].sort());
});

test('version 2 re-keys stored members, and members whose names now collide all stay, each found by the name they registered', async () => {
  const db = open();
  try {
    assert.deepEqual(migrateSqlite(db, STEPS.slice(0, 1)), [1]);
    // Members as version 1 stored them: key = NFKC + lower case. 'Top' held 'top' before Cyrillic 'ТОР' folds onto it.
    const members = [
      ['bob', 'bob'],
      ['bob\u200D', 'bob\u200D'],
      ['\u0422\u041E\u0420', '\u0442\u043E\u0440'],
      ['alice', 'alice'],
      ['Top', 'top'],
    ] as const;
    const insert = db.prepare("INSERT INTO users VALUES (?, ?, ?, 'hash', ?, ?)");
    members.forEach(([name, key], i) => {
      const at = new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString();
      insert.run(randomUUID(), name, key, at, at);
    });
    assert.deepEqual(migrateSqlite(db), [2]);
    const keys = db.prepare('SELECT name_key FROM users ORDER BY created_at').pluck().all();
    assert.deepEqual(keys, ['bob', '\u2060bob\u200D', 'top', 'alice', '\u2060top']);
  } finally {
    db.close();
  }
  const users = new SqliteUserRepository({ dataDir: dir });
  try {
    for (const name of ['bob', 'bob\u200D', '\u0422\u041E\u0420', 'alice', 'Top']) {
      assert.equal((await users.findByName(name))?.name, name, JSON.stringify(name));
    }
    assert.deepEqual(await users.create({ name: 'BOB', passwordHash: 'h' }), { ok: false, reason: 'name-taken' });
  } finally {
    await users.close();
  }
});
