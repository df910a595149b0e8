import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AttemptCounter } from '../../src/throttle/counter.js';

export interface CounterUnderTest {
  counter: AttemptCounter;
  /** Removes whatever the suite created (rows, keys) and closes the counter. */
  cleanup(): Promise<void>;
}

/** A key no other test (nor another run sharing the backend) uses. */
const newKey = () => `key-${randomBytes(8).toString('hex')}`;
const MINUTE = 60_000;

/**
 * The behaviour every AttemptCounter must have (see the AttemptCounter JSDoc). Run it from each counter's test file:
 *
 * @example
 * attemptCounterContract('MemoryAttemptCounter', async () => { const counter = new MemoryAttemptCounter(); return { counter, cleanup: () => counter.close() }; });
 */
export function attemptCounterContract(name: string, make: () => Promise<CounterUnderTest>, options: { skip?: string | false } = {}): void {
  describe(`AttemptCounter contract: ${name}`, { skip: options.skip ?? false }, () => {
    let subject: CounterUnderTest;
    let counter: AttemptCounter;
    before(async () => {
      subject = await make();
      counter = subject.counter;
    });
    after(async () => {
      await subject?.cleanup();
    });

    test('the first hit of a key counts 1 and opens a window of windowMs from now', async () => {
      const before = Date.now();
      const { count, resetAt } = await counter.hit(newKey(), MINUTE);
      assert.equal(count, 1);
      assert.ok(resetAt >= before + MINUTE - 50 && resetAt <= Date.now() + MINUTE + 50, `resetAt ${resetAt - before} ms ahead`);
    });

    test('hits inside the window count up and keep the window’s end', async () => {
      const key = newKey();
      const first = await counter.hit(key, MINUTE);
      const second = await counter.hit(key, MINUTE);
      const third = await counter.hit(key, MINUTE);
      assert.deepEqual([second.count, third.count], [2, 3]);
      assert.ok(Math.abs(third.resetAt - first.resetAt) <= 50, `window moved by ${third.resetAt - first.resetAt} ms`);
    });

    test('the first hit after the window has closed opens a new one at 1', async () => {
      const key = newKey();
      await counter.hit(key, 60);
      await counter.hit(key, 60);
      await sleep(150);
      const next = await counter.hit(key, MINUTE);
      assert.equal(next.count, 1);
      assert.ok(next.resetAt > Date.now() + MINUTE - 1000);
    });

    test('keys are counted apart', async () => {
      const [a, b] = [newKey(), newKey()];
      await counter.hit(a, MINUTE);
      await counter.hit(a, MINUTE);
      assert.equal((await counter.hit(b, MINUTE)).count, 1);
    });

    test('keys of any characters are kept apart exactly', async () => {
      const base = newKey();
      const keys = [`${base}:a`, `${base}:A`, `${base}: a`, `${base}:김`, `${base}:"'%_*`];
      for (const key of keys) await counter.hit(key, MINUTE);
      for (const key of keys) assert.equal((await counter.hit(key, MINUTE)).count, 2, key);
    });

    test('reset forgets a key: its next hit counts 1', async () => {
      const key = newKey();
      await counter.hit(key, MINUTE);
      await counter.hit(key, MINUTE);
      await counter.reset(key);
      assert.equal((await counter.hit(key, MINUTE)).count, 1);
    });

    test('reset of an unknown key is fine', async () => {
      await counter.reset(newKey());
    });

    test('undo takes one hit back and keeps the window', async () => {
      const key = newKey();
      const first = await counter.hit(key, MINUTE);
      await counter.hit(key, MINUTE);
      await counter.undo(key);
      const next = await counter.hit(key, MINUTE);
      assert.equal(next.count, 2);
      assert.ok(Math.abs(next.resetAt - first.resetAt) <= 50);
    });

    test('undo never counts below zero', async () => {
      const key = newKey();
      await counter.hit(key, MINUTE);
      await counter.undo(key);
      await counter.undo(key);
      await counter.undo(key);
      assert.equal((await counter.hit(key, MINUTE)).count, 1);
    });

    test('undo of an unknown key creates nothing', async () => {
      const key = newKey();
      await counter.undo(key);
      assert.equal((await counter.hit(key, MINUTE)).count, 1);
    });

    test('concurrent hits of one key count 1…N, each once', async () => {
      const key = newKey();
      const counts = await Promise.all(Array.from({ length: 50 }, () => counter.hit(key, MINUTE).then((r) => r.count)));
      assert.deepEqual(counts.sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i + 1));
    });
  });
}
