import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { sessionStoreContract } from '../../test/contracts/session-store.js';
import { SqliteStore } from './sqlite.js';

const dir = await mkdtemp(join(tmpdir(), 'maru-sqlite-store-'));
after(() => rm(dir, { recursive: true, force: true }));

sessionStoreContract('SqliteStore (file)', async () => {
  const store = new SqliteStore({ database: join(dir, 'contract.db') });
  return { store, cleanup: () => store.close() };
});

const session = { data: { name: 'kim' }, createdAt: 0, touchedAt: 0 };

test('SqliteStore puts its own file in WAL mode', async () => {
  const file = join(dir, 'wal.db');
  const store = new SqliteStore({ database: file });
  const db = new Database(file);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  db.close();
  await store.close();
});

test('SqliteStore shares an open Database with the app and leaves it open on close', async () => {
  const db = new Database(join(dir, 'shared.db'));
  db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)');
  const store = new SqliteStore({ database: db, table: 'app_sessions' });
  await store.set('s1', session, 60_000);
  await store.close();
  assert.equal(db.open, true);
  assert.equal((db.prepare('SELECT count(*) AS n FROM app_sessions').get() as { n: number }).n, 1);
  db.close();
});

test('two SqliteStores on one file (two connections, as two workers) see each other’s sessions', async () => {
  const file = join(dir, 'two.db');
  const a = new SqliteStore({ database: file });
  const b = new SqliteStore({ database: file });
  await a.set('s1', session, 60_000);
  assert.deepEqual((await b.get('s1'))?.data, { name: 'kim' });
  await b.destroy('s1');
  assert.equal(await a.get('s1'), undefined);
  await a.close();
  await b.close();
});

/**
 * Another process that takes the write lock and holds it for `holdMs`, or, without `holdMs`, until its stdin is
 * closed (`release`), so a test never depends on when it gets to run.
 */
async function lockFromAnotherProcess(file: string, holdMs?: number): Promise<{ release: () => void; exited: Promise<unknown> }> {
  const unlock = `() => { db.exec('COMMIT'); db.close(); }`;
  const script = `const db = require('better-sqlite3')(${JSON.stringify(file)}); db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    ${holdMs === undefined ? `process.stdin.resume(); process.stdin.on('end', ${unlock});` : `setTimeout(${unlock}, ${holdMs});`}`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  await once(child.stdout!, 'data');
  return { release: () => child.stdin!.end(), exited };
}

test('a write waits for another process’s lock (busy timeout) instead of failing', async () => {
  const file = join(dir, 'busy.db');
  // better-sqlite3 waits on the event loop, so the lock must go on its own: 200 ms, far within the 10 s timeout.
  const store = new SqliteStore({ database: file, busyTimeout: 10_000 });
  const lock = await lockFromAnotherProcess(file, 200);
  await store.set('s1', session, 60_000);
  assert.deepEqual((await store.get('s1'))?.data, { name: 'kim' });
  await lock.exited;
  await store.close();
});

test('a write rejects when another process holds the lock past the busy timeout', async () => {
  const file = join(dir, 'locked.db');
  const store = new SqliteStore({ database: file, busyTimeout: 50 });
  const lock = await lockFromAnotherProcess(file);
  try {
    await assert.rejects(store.set('s1', session, 60_000), /locked|busy/i);
  } finally {
    lock.release();
    await lock.exited;
    await store.close();
  }
});

test('SqliteStore purge() deletes expired rows', async () => {
  const db = new Database(':memory:');
  const store = new SqliteStore({ database: db });
  await store.set('short', session, 5);
  await store.set('long', session, 60_000);
  await sleep(20);
  assert.equal(store.purge(), 1);
  assert.equal((db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n, 1);
  await store.close();
  db.close();
});

test('SqliteStore purges on its own timer', async () => {
  const db = new Database(':memory:');
  const store = new SqliteStore({ database: db, purgeInterval: 20 });
  await store.set('short', session, 5);
  const rows = () => (db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n;
  // The timer runs when the loop gets to it: poll for its effect rather than guess when that is.
  for (const deadline = Date.now() + 10_000; rows() > 0 && Date.now() < deadline; ) await sleep(20);
  assert.equal(rows(), 0);
  await store.close();
  db.close();
});

test('SqliteStore brings a sessions table of an earlier version up to date and drops its raw-id rows', async () => {
  const file = join(dir, 'old-shape.db');
  const old = new Database(file);
  old.exec(`CREATE TABLE sessions (id TEXT PRIMARY KEY, session TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO sessions VALUES ('raw-cookie-id', '{"data":{"name":"kim"},"createdAt":0,"touchedAt":0}', ${Date.now() + 60_000});`);
  old.close();
  const store = new SqliteStore({ database: file });
  const db = new Database(file);
  try {
    assert.equal(await store.get('raw-cookie-id'), undefined);
    assert.deepEqual((db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n, 0);
    await store.set('s1', { ...session, owner: 'member-1' }, 60_000);
    assert.equal(await store.destroyByOwner('member-1'), 1);
  } finally {
    db.close();
    await store.close();
  }
});

test('SqliteStore opening a file it already brought up to date keeps its sessions', async () => {
  const file = join(dir, 'reopen.db');
  const first = new SqliteStore({ database: file });
  await first.set('s1', { ...session, owner: 'member-1' }, 60_000);
  await first.close();
  const second = new SqliteStore({ database: file });
  assert.equal((await second.get('s1'))?.owner, 'member-1');
  await second.close();
});

test('SqliteStore ends an owner’s sessions with the owner index, not a table scan', async () => {
  const db = new Database(':memory:');
  const store = new SqliteStore({ database: db });
  const plan = db.prepare(`EXPLAIN QUERY PLAN DELETE FROM sessions WHERE owner = ? AND id IS NOT ?`).all('m', null) as { detail: string }[];
  assert.ok(plan.some((row) => /USING INDEX sessions_owner/.test(row.detail)), JSON.stringify(plan));
  await store.close();
  db.close();
});

test('two SqliteStores on one file: one ends the sessions of an owner the other wrote', async () => {
  const file = join(dir, 'two-owners.db');
  const a = new SqliteStore({ database: file });
  const b = new SqliteStore({ database: file });
  await a.set('s1', { ...session, owner: 'member-1' }, 60_000);
  await a.set('s2', { ...session, owner: 'member-1' }, 60_000);
  assert.equal(await b.destroyByOwner('member-1', 's2'), 1);
  assert.equal(await a.get('s1'), undefined);
  assert.ok(await a.get('s2'));
  await a.close();
  await b.close();
});

test('SqliteStore rejects a table name that is not a plain identifier', () => {
  assert.throws(() => new SqliteStore({ database: ':memory:', table: 'x; DROP TABLE users' }), /option table must be a plain SQL identifier/);
  assert.throws(() => new SqliteStore({ database: 42 as unknown as string }), /option database/);
});
