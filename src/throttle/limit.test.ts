import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpError } from '../errors.js';
import type { AttemptCounter } from './counter.js';
import { attemptLimit, tooManyAttempts } from './limit.js';
import { MemoryAttemptCounter } from './memory.js';

/** A memory counter that records the keys it is given, and can be told to fail. */
function recordingCounter() {
  const inner = new MemoryAttemptCounter();
  const keys: string[] = [];
  let failing = false;
  const counter: AttemptCounter = {
    hit: async (key, windowMs) => {
      if (failing) throw new Error('connect ECONNREFUSED');
      keys.push(key);
      return inner.hit(key, windowMs);
    },
    undo: (key) => inner.undo(key),
    reset: (key) => inner.reset(key),
  };
  return { counter, keys, fail: () => (failing = true) };
}

test('allows `limit` attempts in a window and refuses the next one', async () => {
  const limit = attemptLimit({ counter: new MemoryAttemptCounter(), name: 'login', limit: 3, windowMs: 60_000 });
  const verdicts = [];
  for (let i = 0; i < 4; i++) verdicts.push(await limit.hit('kim'));
  assert.deepEqual(verdicts.map((v) => v.limited), [false, false, false, true]);
  assert.deepEqual(verdicts.map((v) => v.count), [1, 2, 3, 4]);
});

test('a refusal says how many whole seconds are left in the window', async () => {
  const limit = attemptLimit({ counter: new MemoryAttemptCounter(), name: 'login', limit: 1, windowMs: 90_000 });
  await limit.hit('kim');
  const verdict = await limit.hit('kim');
  assert.ok(verdict.retryAfter >= 89 && verdict.retryAfter <= 90, String(verdict.retryAfter));
});

test('reset gives a key its whole limit back; undo one attempt', async () => {
  const limit = attemptLimit({ counter: new MemoryAttemptCounter(), name: 'login', limit: 2, windowMs: 60_000 });
  await limit.hit('kim');
  await limit.hit('kim');
  await limit.undo('kim');
  assert.equal((await limit.hit('kim')).limited, false);
  await limit.reset('kim');
  assert.equal((await limit.hit('kim')).count, 1);
});

test('keys reach the counter as the limit’s name and a SHA-256, never in clear', async () => {
  const { counter, keys } = recordingCounter();
  await attemptLimit({ counter, name: 'login-name', limit: 5, windowMs: 1000 }).hit('kim@example.com');
  assert.equal(keys.length, 1);
  assert.match(keys[0]!, /^login-name:[A-Za-z0-9_-]{43}$/);
  assert.ok(!keys[0]!.includes('kim'));
});

test('two limits on one counter count apart', async () => {
  const counter = new MemoryAttemptCounter();
  const byName = attemptLimit({ counter, name: 'a', limit: 1, windowMs: 60_000 });
  const byAddress = attemptLimit({ counter, name: 'b', limit: 1, windowMs: 60_000 });
  await byName.hit('same');
  assert.equal((await byAddress.hit('same')).count, 1);
});

test('a counter that fails makes hit throw a 503 with Retry-After (fail closed)', async () => {
  const { counter, fail } = recordingCounter();
  const limit = attemptLimit({ counter, name: 'login', limit: 5, windowMs: 1000, retryAfterUnavailable: 7 });
  fail();
  const err = await limit.hit('kim').catch((e: unknown) => e);
  assert.ok(err instanceof HttpError);
  assert.equal(err.status, 503);
  assert.equal(err.code, 'ATTEMPT_COUNTER_UNAVAILABLE');
  assert.deepEqual(err.headers, { 'retry-after': '7' });
});

test('tooManyAttempts is a 429 with Retry-After and one code and message for every limit', () => {
  const err = tooManyAttempts({ limited: true, count: 11, retryAfter: 42 });
  assert.equal(err.status, 429);
  assert.equal(err.code, 'TOO_MANY_ATTEMPTS');
  assert.equal(err.expose, true);
  assert.deepEqual(err.headers, { 'retry-after': '42' });
  assert.equal(err.message, tooManyAttempts({ limited: true, count: 101, retryAfter: 1 }).message);
});

const bad: [string, Record<string, unknown>, RegExp][] = [
  ['no counter', { counter: undefined }, /option counter must be an AttemptCounter/],
  ['an empty name', { name: '' }, /option name must be/],
  ['a name with a colon', { name: 'a:b' }, /option name must be/],
  ['a limit of 0', { limit: 0 }, /option limit must be a positive integer, got 0/],
  ['a fractional window', { windowMs: 1.5 }, /option windowMs must be a positive integer, got 1.5/],
];
for (const [what, options, message] of bad) {
  test(`attemptLimit throws a TypeError at set-up for ${what}`, () => {
    const valid = { counter: new MemoryAttemptCounter(), name: 'login', limit: 1, windowMs: 1000 };
    assert.throws(() => attemptLimit({ ...valid, ...options } as Parameters<typeof attemptLimit>[0]), (err: unknown) => err instanceof TypeError && message.test(err.message));
  });
}
