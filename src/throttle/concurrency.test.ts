import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpError } from '../errors.js';
import { concurrencyLimit } from './concurrency.js';

/** A task the test finishes by hand, recording when it started. */
function manualTask(started: string[], name: string) {
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<string>((resolve, reject) => {
    finish = () => resolve(name);
    fail = reject;
  });
  return {
    run: () => {
      started.push(name);
      return done;
    },
    finish: () => finish(),
    fail: (err: Error) => fail(err),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('runs at most `concurrency` tasks at once, and the rest in arrival order as slots free up', async () => {
  const limit = concurrencyLimit({ concurrency: 2, queue: 10 });
  const started: string[] = [];
  const tasks = ['a', 'b', 'c', 'd'].map((name) => manualTask(started, name));
  const results = tasks.map((task) => limit(task.run));
  await tick();
  assert.deepEqual(started, ['a', 'b']);
  tasks[1]!.finish();
  await tick();
  assert.deepEqual(started, ['a', 'b', 'c']);
  tasks[0]!.finish();
  await tick();
  assert.deepEqual(started, ['a', 'b', 'c', 'd']);
  tasks[2]!.finish();
  tasks[3]!.finish();
  assert.deepEqual(await Promise.all(results), ['a', 'b', 'c', 'd']);
});

test('refuses with a 503 and Retry-After when the queue is full, without running the task', async () => {
  const limit = concurrencyLimit({ concurrency: 1, queue: 1, retryAfter: 2 });
  const started: string[] = [];
  const [first, second, third] = ['a', 'b', 'c'].map((name) => manualTask(started, name)) as [ReturnType<typeof manualTask>, ReturnType<typeof manualTask>, ReturnType<typeof manualTask>];
  const running = limit(first.run);
  const queued = limit(second.run);
  const refused = await limit(third.run).catch((err: unknown) => err);
  assert.ok(refused instanceof HttpError);
  assert.equal(refused.status, 503);
  assert.equal(refused.code, 'BUSY');
  assert.deepEqual(refused.headers, { 'retry-after': '2' });
  first.finish();
  second.finish();
  await Promise.all([running, queued]);
  assert.deepEqual(started, ['a', 'b']);
});

test('a task that fails frees its slot for the next one', async () => {
  const limit = concurrencyLimit({ concurrency: 1, queue: 1 });
  const started: string[] = [];
  const failing = manualTask(started, 'a');
  const next = manualTask(started, 'b');
  const first = limit(failing.run);
  const second = limit(next.run);
  failing.fail(new Error('boom'));
  await assert.rejects(first, /boom/);
  await tick();
  assert.deepEqual(started, ['a', 'b']);
  next.finish();
  assert.equal(await second, 'b');
});

test('the limit holds again once everything has finished', async () => {
  const limit = concurrencyLimit({ concurrency: 1, queue: 0 });
  await limit(async () => 1);
  await limit(async () => 2);
  const started: string[] = [];
  const task = manualTask(started, 'a');
  const running = limit(task.run);
  await assert.rejects(limit(async () => 3), (err: unknown) => err instanceof HttpError && err.status === 503);
  task.finish();
  await running;
});

test('concurrencyLimit throws a TypeError at set-up for bad options', () => {
  assert.throws(() => concurrencyLimit({ concurrency: 0, queue: 1 }), /option concurrency must be a positive integer, got 0/);
  assert.throws(() => concurrencyLimit({ concurrency: 1, queue: -1 }), /option queue must be a non-negative integer, got -1/);
  assert.throws(() => concurrencyLimit({ concurrency: 1, queue: 1, retryAfter: 0.5 }), /option retryAfter/);
});
