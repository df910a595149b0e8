import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rateLimited } from './log-budget.js';

test('allows `limit` lines in a window, then counts the ones it drops and reports them with the next line allowed', (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const budget = rateLimited(3, 10_000);
  assert.deepEqual([budget(), budget(), budget()], [
    { allowed: true, dropped: 0 },
    { allowed: true, dropped: 0 },
    { allowed: true, dropped: 0 },
  ]);
  assert.deepEqual(budget(), { allowed: false, dropped: 1 });
  assert.deepEqual(budget(), { allowed: false, dropped: 2 });
  t.mock.timers.tick(9_999);
  assert.deepEqual(budget(), { allowed: false, dropped: 3 }, 'still the same window');
  t.mock.timers.tick(1);
  assert.deepEqual(budget(), { allowed: true, dropped: 3 }, 'a new window: the first line says what was left out');
  assert.deepEqual(budget(), { allowed: true, dropped: 0 });
});

test('keeps separate budgets apart', (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 0 });
  const one = rateLimited(1, 1_000);
  const two = rateLimited(1, 1_000);
  assert.equal(one().allowed, true);
  assert.equal(one().allowed, false);
  assert.equal(two().allowed, true);
});
