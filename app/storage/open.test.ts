import assert from 'node:assert/strict';
import { access, mkdtemp, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { StoredSession } from '../../src/index.js';
import { REDIS_URL, serviceSkip } from '../../test/services.js';
import { memoryLogger } from '../../test/logger.js';
import { openStorage } from './open.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'maru-storage-'));
  dirs.push(dir);
  return dir;
}

/** This process's open file descriptors on `file` itself (Linux /proc): one per SQLite connection. */
async function descriptorsOn(file: string): Promise<number> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets.filter((target) => target === file).length;
}

const { log } = memoryLogger();

test('members and sessions share one connection to maru.db', async () => {
  const dataDir = await tempDir();
  const file = join(dataDir, 'maru.db');
  const storage = await openStorage({ dataDir, databaseUrl: undefined, redisUrl: undefined }, log);
  try {
    assert.equal(await descriptorsOn(file), 1);
    const created = await storage.users.create({ name: 'member', passwordHash: 'h' });
    assert.equal(created.ok, true);
    const session: StoredSession = { data: {}, createdAt: Date.now(), touchedAt: Date.now() };
    await storage.sessionStore.set('session-id', session, 60_000);
    const tables = storage.database!.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
    assert.ok(tables.includes('users') && tables.includes('sessions'), `both tables in the one file: ${tables.join(', ')}`);
    assert.equal(storage.database!.prepare('SELECT count(*) FROM users').pluck().get(), 1);
    assert.equal(storage.database!.prepare('SELECT count(*) FROM sessions').pluck().get(), 1);
  } finally {
    await storage.close();
  }
});

test('close() closes the stores and then the connection, and a second close() does nothing more', async () => {
  const dataDir = await tempDir();
  const storage = await openStorage({ dataDir, databaseUrl: undefined, redisUrl: undefined }, log);
  await Promise.all([storage.close(), storage.close()]);
  assert.equal(storage.database!.open, false);
  assert.equal(await descriptorsOn(join(dataDir, 'maru.db')), 0);
  await storage.close();
  await assert.rejects(storage.users.findByName('member'), /not open/);
});

test('says what holds members and sessions', async () => {
  const storage = await openStorage({ dataDir: await tempDir(), databaseUrl: undefined, redisUrl: undefined }, log);
  await storage.close();
  assert.deepEqual(storage.describe, { members: 'sqlite', sessions: 'sqlite' });
});

const skipRedis = await serviceSkip('redis');

test('with sessions in Redis, members still get maru.db, and close() ends both', { skip: skipRedis }, async () => {
  const dataDir = await tempDir();
  const storage = await openStorage({ dataDir, databaseUrl: undefined, redisUrl: REDIS_URL }, log);
  try {
    assert.deepEqual(storage.describe, { members: 'sqlite', sessions: 'redis' });
    await access(join(dataDir, 'maru.db'));
    const tables = storage.database!.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all();
    assert.ok(!tables.includes('sessions'), 'no sessions table when Redis keeps them');
  } finally {
    await storage.close();
  }
  assert.equal(storage.database!.open, false);
});
