import assert from 'node:assert/strict';
import { test } from 'node:test';
import { processLocalGuard } from './process-local.js';

test('joining a cluster is refused, and the primary told why, once process-local state exists', () => {
  const guard = processLocalGuard();
  guard.claim('sessions live in this process only');
  const told: string[] = [];
  assert.throws(() => guard.enter((reason) => told.push(reason)), { name: 'TypeError', message: 'sessions live in this process only' });
  assert.deepEqual(told, ['sessions live in this process only']);
});

test('process-local state is refused, and the primary told why, once the process is a cluster worker', () => {
  const guard = processLocalGuard();
  const told: string[] = [];
  guard.enter((reason) => told.push(reason));
  assert.throws(() => guard.claim('sessions live in this process only'), TypeError);
  assert.deepEqual(told, ['sessions live in this process only']);
});

test('a process that never joins a cluster keeps its process-local state', () => {
  const guard = processLocalGuard();
  guard.claim('one');
  guard.claim('two');
  const joined = processLocalGuard();
  assert.doesNotThrow(() => joined.enter(() => assert.fail('nothing to refuse')));
});
