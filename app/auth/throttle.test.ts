import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { inject, MemoryAttemptCounter, MemoryStore, RedisStore, SqliteStore, type App } from '../../src/index.js';
import { memoryLogger } from '../../test/logger.js';
import { REDIS_URL, serviceSkip } from '../../test/services.js';
import { removeRedisKeys } from '../../test/session/redis-keys.js';
import { buildApp } from '../server.js';
import { openUserRepository } from '../users/open.js';
import { attemptCounterBeside } from './throttle.js';

const PUBLIC_DIR = new URL('../public/', import.meta.url).pathname;
const dir = await mkdtemp(join(tmpdir(), 'maru-throttle-'));
after(() => rm(dir, { recursive: true, force: true }));
const redisSkip = await serviceSkip('redis');

const wrongLogin = (app: App) => inject(app, { method: 'POST', url: '/login', body: { name: 'shared-target', password: 'wrong-password' } });

test('two workers on one SQLite file share the login counts: failures on one limit the other', async () => {
  const apps = [];
  const closers: (() => Promise<unknown>)[] = [];
  for (let worker = 0; worker < 2; worker++) {
    // What each worker of `maru serve` opens: the members' repository and a session store on ./data/maru.db.
    const users = await openUserRepository({ dataDir: dir });
    const sessionStore = new SqliteStore({ database: join(dir, 'maru.db') });
    const attempts = attemptCounterBeside(sessionStore);
    apps.push(buildApp({ log: memoryLogger().log, users, sessionStore, attempts, publicDir: PUBLIC_DIR, limits: { loginFailuresPerName: 2 } }));
    closers.push(() => attempts.close?.() ?? Promise.resolve(), () => sessionStore.close(), () => users.close());
  }
  try {
    assert.equal((await wrongLogin(apps[0]!)).status, 401);
    assert.equal((await wrongLogin(apps[1]!)).status, 401);
    assert.equal((await wrongLogin(apps[0]!)).status, 429);
    assert.equal((await wrongLogin(apps[1]!)).status, 429);
  } finally {
    for (const close of closers) await close();
  }
});

test('with a RedisStore the counts live in Redis, under the store’s prefix', { skip: redisSkip }, async () => {
  const prefix = `maru-test:throttle:${randomBytes(6).toString('hex')}:`;
  const store = new RedisStore({ url: REDIS_URL, prefix });
  const redis = new Redis(REDIS_URL);
  try {
    const counter = attemptCounterBeside(store);
    await counter.hit('probe', 60_000);
    assert.equal(await redis.get(`${prefix}attempts:probe`), '1');
  } finally {
    await redis.quit();
    await store.close();
    await removeRedisKeys(REDIS_URL, prefix);
  }
});

test('with a MemoryStore the counts are kept in memory', async () => {
  const store = new MemoryStore();
  assert.ok(attemptCounterBeside(store) instanceof MemoryAttemptCounter);
  await store.close();
});
