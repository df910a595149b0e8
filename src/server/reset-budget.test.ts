import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resetBudget } from './reset-budget.js';

function clock(start = 0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

test('allows a burst of resets, then refuses the next one', () => {
  const time = clock();
  const budget = resetBudget({ burst: 3, perSecond: 1 }, time.now);
  assert.deepEqual([budget.spend(), budget.spend(), budget.spend(), budget.spend()], [true, true, true, false]);
});

test('gives resets back at its rate, never more than the burst', () => {
  const time = clock();
  const budget = resetBudget({ burst: 2, perSecond: 10 }, time.now);
  budget.spend();
  budget.spend();
  assert.equal(budget.spend(), false);
  time.advance(100); // one token back
  assert.equal(budget.spend(), true);
  assert.equal(budget.spend(), false);
  time.advance(60_000); // a minute idle refills only up to the burst
  assert.deepEqual([budget.spend(), budget.spend(), budget.spend()], [true, true, false]);
});

test('a steady rate at the refill speed never runs out', () => {
  const time = clock();
  const budget = resetBudget({ burst: 5, perSecond: 20 }, time.now);
  for (let i = 0; i < 1000; i++) {
    time.advance(50);
    assert.equal(budget.spend(), true, `reset ${i}`);
  }
});
