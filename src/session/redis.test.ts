import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { sessionStoreContract } from '../../test/contracts/session-store.js';
import { REDIS_URL, serviceSkip } from '../../test/services.js';
import { removeRedisKeys } from '../../test/session/redis-keys.js';
import { redisServerSkip, throwawayRedis } from '../../test/session/redis-server.js';
import { RedisStore } from './redis.js';

const skip = await serviceSkip('redis');
// The outage test starts a redis-server of its own: it needs the binary, not the shared Redis.
const ownRedisSkip = await redisServerSkip();
const prefix = `maru-test:${randomBytes(6).toString('hex')}:`;

const removeKeys = () => removeRedisKeys(REDIS_URL, prefix);

sessionStoreContract(
  'RedisStore',
  async () => {
    const store = new RedisStore({ url: REDIS_URL, prefix });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await removeKeys();
      },
    };
  },
  { skip },
);

const session = { data: { name: 'kim' }, createdAt: 0, touchedAt: 0 };

test('RedisStore keeps each session under its prefix with a native TTL', { skip }, async () => {
  const store = new RedisStore({ url: REDIS_URL, prefix });
  const redis = new Redis(REDIS_URL);
  try {
    await store.set('ttl-check', session, 60_000);
    const pttl = await redis.pttl(`${prefix}ttl-check`);
    assert.ok(pttl > 59_000 && pttl <= 60_000, `PTTL was ${pttl}`);
  } finally {
    await redis.del(`${prefix}ttl-check`);
    await redis.quit();
    await store.close();
  }
});

test('RedisStore lists an owner’s sessions in a set that lives as long as the longest of them', { skip }, async () => {
  const store = new RedisStore({ url: REDIS_URL, prefix });
  const redis = new Redis(REDIS_URL);
  const owner = `ttl-owner-${randomBytes(4).toString('hex')}`;
  try {
    await store.set('long', { ...session, owner }, 120_000);
    await store.set('short', { ...session, owner }, 10_000);
    assert.deepEqual((await redis.smembers(`${prefix}owner:${owner}`)).sort(), ['long', 'short']);
    const pttl = await redis.pttl(`${prefix}owner:${owner}`);
    assert.ok(pttl > 110_000 && pttl <= 120_000, `PTTL was ${pttl}`);
    await store.destroyByOwner(owner);
    assert.equal(await redis.exists(`${prefix}owner:${owner}`), 0);
  } finally {
    await redis.quit();
    await store.close();
  }
});

test('RedisStore sweeps the ids of ended sessions out of an owner’s set once it grows past 32', { skip }, async () => {
  const store = new RedisStore({ url: REDIS_URL, prefix });
  const redis = new Redis(REDIS_URL);
  const owner = `sweep-owner-${randomBytes(4).toString('hex')}`;
  try {
    for (let i = 0; i < 40; i++) {
      await store.set(`gone-${i}`, { ...session, owner }, 60_000);
      await store.destroy(`gone-${i}`);
    }
    await store.set('live', { ...session, owner }, 60_000);
    assert.ok((await redis.scard(`${prefix}owner:${owner}`)) <= 33);
    assert.ok(await redis.sismember(`${prefix}owner:${owner}`, 'live'));
  } finally {
    await redis.quit();
    await store.close();
  }
});

test('RedisStore reads a value that is not a session record as no session', { skip }, async () => {
  const store = new RedisStore({ url: REDIS_URL, prefix });
  const redis = new Redis(REDIS_URL);
  try {
    await redis.set(`${prefix}garbage`, 'not json {', 'PX', 60_000);
    assert.equal(await store.get('garbage'), undefined);
  } finally {
    await redis.del(`${prefix}garbage`);
    await redis.quit();
    await store.close();
  }
});

test('RedisStore leaves a client it was given open on close', { skip }, async () => {
  const client = new Redis(REDIS_URL);
  const store = new RedisStore({ client, prefix });
  await store.close();
  assert.equal(await client.ping(), 'PONG');
  await client.quit();
});

test('RedisStore fails fast while Redis is down, then works again once it is back, without a new store', { skip: ownRedisSkip }, async () => {
  const redis = await throwawayRedis();
  const errors: Error[] = [];
  const store = new RedisStore({ url: redis.url, prefix, timeout: 300, onError: (err) => errors.push(err) });
  try {
    const started = Date.now();
    await assert.rejects(store.get('s1'));
    await assert.rejects(store.set('s1', session, 60_000));
    assert.ok(Date.now() - started < 3000, `failing took ${Date.now() - started} ms`);
    assert.ok(errors.length > 0, 'connection errors reach onError instead of crashing the process');

    await redis.start();
    let stored = false;
    for (const deadline = Date.now() + 15_000; !stored && Date.now() < deadline; ) {
      stored = await store.set('s1', session, 60_000).then(() => true, () => false);
      if (!stored) await sleep(100);
    }
    assert.ok(stored, 'the store reconnected on its own');
    assert.deepEqual((await store.get('s1'))?.data, { name: 'kim' });
  } finally {
    await store.close();
    await redis.close();
  }
});

test('RedisStore needs exactly one of url and client, and a redis:// url', () => {
  assert.throws(() => new RedisStore({}), /exactly one of the options url and client/);
  assert.throws(() => new RedisStore({ url: 'http://127.0.0.1:6379' }), /option url must be a redis:\/\//);
  assert.throws(() => new RedisStore({ url: REDIS_URL, timeout: 0 }), /option timeout must be a positive integer/);
});

after(async () => {
  if (!skip) await removeKeys();
});
