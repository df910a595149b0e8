import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openSqliteFile } from './sqlite-file.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'maru-sqlite-file-'));
  dirs.push(dir);
  return dir;
}

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

test('creates the data directory 0700, and maru.db with its -wal and -shm 0600', async () => {
  const dataDir = join(await tempDir(), 'nested', 'data');
  const db = openSqliteFile({ dataDir });
  try {
    // A write, so the WAL file exists (the -shm exists while the connection is open).
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    assert.equal(await modeOf(dataDir), 0o700);
    for (const name of ['maru.db', 'maru.db-wal', 'maru.db-shm']) assert.equal(await modeOf(join(dataDir, name)), 0o600, name);
  } finally {
    db.close();
  }
});

test('narrows an existing maru.db that others could read to 0600, keeping its data', async () => {
  const dataDir = await tempDir();
  const first = openSqliteFile({ dataDir });
  first.exec('CREATE TABLE t (x); INSERT INTO t VALUES (42)');
  first.close();
  await chmod(join(dataDir, 'maru.db'), 0o644);
  const db = openSqliteFile({ dataDir });
  try {
    assert.equal(await modeOf(join(dataDir, 'maru.db')), 0o600);
    assert.equal(db.prepare('SELECT x FROM t').pluck().get(), 42);
  } finally {
    db.close();
  }
});

test('opens an empty maru.db left by an earlier start that stopped before SQLite wrote it', async () => {
  const dataDir = await tempDir();
  await writeFile(join(dataDir, 'maru.db'), '', { mode: 0o600 });
  const db = openSqliteFile({ dataDir });
  try {
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  } finally {
    db.close();
  }
});

test('puts the file in WAL mode, synchronous NORMAL, foreign keys on, with the busy timeout given', async () => {
  const db = openSqliteFile({ dataDir: await tempDir(), busyTimeoutMs: 1234 });
  try {
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('synchronous', { simple: true }), 1);
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(db.pragma('busy_timeout', { simple: true }), 1234);
  } finally {
    db.close();
  }
});

test('throws a TypeError naming the option for a bad dataDir or busyTimeoutMs', () => {
  assert.throws(() => openSqliteFile({ dataDir: '' }), /option dataDir/);
  assert.throws(() => openSqliteFile({ dataDir: 42 as unknown as string }), /option dataDir/);
  assert.throws(() => openSqliteFile({ dataDir: tmpdir(), busyTimeoutMs: -1 }), /option busyTimeoutMs/);
  assert.throws(() => openSqliteFile({ dataDir: tmpdir(), busyTimeoutMs: 1.5 }), /option busyTimeoutMs/);
});
