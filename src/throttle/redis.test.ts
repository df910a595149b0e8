import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { attemptCounterContract } from '../../test/contracts/attempt-counter.js';
import { REDIS_URL, serviceSkip } from '../../test/services.js';
import { removeRedisKeys } from '../../test/session/redis-keys.js';
import { RedisAttemptCounter } from './redis.js';

const skip = await serviceSkip('redis');
const prefix = `maru-test:attempts:${randomBytes(6).toString('hex')}:`;
after(async () => {
  if (!skip) await removeRedisKeys(REDIS_URL, prefix);
});

attemptCounterContract(
  'RedisAttemptCounter',
  async () => {
    const client = new Redis(REDIS_URL);
    const counter = new RedisAttemptCounter({ client, prefix });
    return { counter, cleanup: async () => void (await client.quit()) };
  },
  { skip },
);

test('RedisAttemptCounter keeps a count under its prefix with the window as its expiry', { skip }, async () => {
  const client = new Redis(REDIS_URL);
  try {
    const counter = new RedisAttemptCounter({ client, prefix });
    await counter.hit('ttl-check', 60_000);
    await counter.hit('ttl-check', 60_000);
    assert.equal(await client.get(`${prefix}ttl-check`), '2');
    const pttl = await client.pttl(`${prefix}ttl-check`);
    assert.ok(pttl > 59_000 && pttl <= 60_000, `PTTL was ${pttl}`);
  } finally {
    await client.quit();
  }
});

test('RedisAttemptCounter waits for a client that is still connecting', { skip }, async () => {
  const client = new Redis(REDIS_URL, { enableOfflineQueue: false, lazyConnect: true });
  try {
    const counter = new RedisAttemptCounter({ client, prefix });
    void client.connect();
    assert.equal((await counter.hit('early', 60_000)).count, 1);
  } finally {
    await client.quit();
  }
});

test('RedisAttemptCounter needs an ioredis client', () => {
  assert.throws(() => new RedisAttemptCounter({ client: {} as Redis }), /option client must be an ioredis client/);
});
