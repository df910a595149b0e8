import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { REDIS_URL, serviceSkip } from '../test/services.js';
import { redisScript } from './redis-script.js';

const skip = await serviceSkip('redis');

test('a script this Redis has never seen is sent in full (NOSCRIPT), then by its SHA-1', { skip }, async () => {
  // A comment no other run has sent makes a script Redis cannot have cached.
  const script = redisScript(`-- ${randomBytes(8).toString('hex')}\nreturn tonumber(ARGV[1]) + 1`);
  const client = new Redis(REDIS_URL);
  await client.ping();
  const sent: string[] = [];
  const original = client.sendCommand.bind(client);
  client.sendCommand = (command) => {
    sent.push(command.name);
    return original(command);
  };
  try {
    assert.equal(await script(client, [], [41]), 42);
    assert.equal(await script(client, [], [1]), 2);
    assert.deepEqual(sent.filter((name) => name !== 'quit'), ['evalsha', 'eval', 'evalsha']);
  } finally {
    await client.quit();
  }
});

test('an error of the script itself is not retried', { skip }, async () => {
  const script = redisScript(`-- ${randomBytes(8).toString('hex')}\nreturn redis.error_reply('broken')`);
  const client = new Redis(REDIS_URL);
  try {
    await assert.rejects(script(client, [], []), /broken/);
  } finally {
    await client.quit();
  }
});
