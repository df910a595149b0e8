import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RESTART_POLICY, exitCause, planRestart, resolveRestartPolicy, startFailureWindow, type ExitCause, type WorkerExit } from './restart-policy.js';

test('names the cause of each kind of worker exit', () => {
  const cases: [WorkerExit, ExitCause][] = [
    [{ planned: true, wasReady: true, code: 0, signal: null }, 'planned'],
    [{ planned: true, wasReady: true, code: 70, signal: null }, 'planned'],
    [{ planned: false, wasReady: false, code: 1, signal: null }, 'start-failure'],
    [{ planned: false, wasReady: false, code: null, signal: 'SIGKILL' }, 'start-failure'],
    [{ planned: false, wasReady: true, code: 70, signal: null }, 'crash'],
    [{ planned: false, wasReady: true, code: 1, signal: null }, 'crash'],
    [{ planned: false, wasReady: true, code: null, signal: 'SIGSEGV' }, 'crash'],
    [{ planned: false, wasReady: true, code: null, signal: 'SIGKILL' }, 'killed'],
    [{ planned: false, wasReady: true, code: 0, signal: null }, 'exited'],
  ];
  for (const [exit, cause] of cases) assert.equal(exitCause(exit), cause, JSON.stringify(exit));
});

test('doubles the restart delay with each failure in a row, up to the maximum', () => {
  let failures = 0;
  const delays: number[] = [];
  for (let i = 0; i < 10; i++) {
    const plan = planRestart(i % 2 === 0 ? 'crash' : 'start-failure', { failures, readyForMs: 1_000 }, DEFAULT_RESTART_POLICY);
    delays.push(plan.delay);
    failures = plan.failures;
  }
  assert.deepEqual(delays, [100, 200, 400, 800, 1_600, 3_200, 6_400, 12_800, 15_000, 15_000]);
});

test('starts the delay over after a worker was ready for the stable time', () => {
  assert.deepEqual(planRestart('crash', { failures: 7, readyForMs: 30_000 }, DEFAULT_RESTART_POLICY), { delay: 100, failures: 1 });
  assert.deepEqual(planRestart('crash', { failures: 7, readyForMs: 29_999 }, DEFAULT_RESTART_POLICY), { delay: 12_800, failures: 8 });
});

test('replaces a worker killed or stopped from outside after the initial delay, without doubling', () => {
  assert.deepEqual(planRestart('killed', { failures: 4, readyForMs: 2_000 }, DEFAULT_RESTART_POLICY), { delay: 100, failures: 4 });
  assert.deepEqual(planRestart('exited', { failures: 4, readyForMs: 2_000 }, DEFAULT_RESTART_POLICY), { delay: 100, failures: 4 });
  assert.deepEqual(planRestart('killed', { failures: 4, readyForMs: 60_000 }, DEFAULT_RESTART_POLICY), { delay: 100, failures: 0 });
});

test('gives up once the limit of start-up failures falls within the window', () => {
  const window = startFailureWindow(3, 10_000);
  assert.equal(window.add(0), false);
  assert.equal(window.add(1_000), false);
  assert.equal(window.add(10_500), false, 'the first one left the window');
  assert.equal(window.add(10_600), true);
});

test('refuses a restart policy that is not positive whole milliseconds, naming the option', () => {
  assert.throws(() => resolveRestartPolicy({ initialDelay: 0 }), /option restart.initialDelay must be a positive integer, got 0/);
  assert.throws(() => resolveRestartPolicy({ stableAfter: 1.5 }), /restart.stableAfter/);
  assert.throws(() => resolveRestartPolicy({ initialDelay: 500, maxDelay: 100 }), /restart.maxDelay must be at least/);
  assert.deepEqual(resolveRestartPolicy(), DEFAULT_RESTART_POLICY);
});
