import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { attemptCounterContract } from '../../test/contracts/attempt-counter.js';
import { MemoryAttemptCounter } from './memory.js';

attemptCounterContract('MemoryAttemptCounter', async () => {
  const counter = new MemoryAttemptCounter();
  return { counter, cleanup: () => counter.close() };
});

test('MemoryAttemptCounter keeps at most maxKeys, dropping the key whose window opened first', async () => {
  const counter = new MemoryAttemptCounter({ maxKeys: 3 });
  for (const key of ['a', 'b', 'c', 'd']) await counter.hit(key, 60_000);
  assert.equal(counter.size, 3);
  assert.equal((await counter.hit('a', 60_000)).count, 1);
  assert.equal((await counter.hit('d', 60_000)).count, 2);
  await counter.close();
});

test('MemoryAttemptCounter prunes closed windows on its own timer', async () => {
  const counter = new MemoryAttemptCounter({ pruneInterval: 20 });
  await counter.hit('short', 5);
  await counter.hit('long', 60_000);
  await sleep(80);
  assert.equal(counter.size, 1);
  await counter.close();
});

test('MemoryAttemptCounter rejects options that are not positive integers', () => {
  assert.throws(() => new MemoryAttemptCounter({ maxKeys: 0 }), /option maxKeys must be a positive integer, got 0/);
  assert.throws(() => new MemoryAttemptCounter({ pruneInterval: -5 }), /option pruneInterval must be a positive integer, got -5/);
});
