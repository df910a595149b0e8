import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeGoals, median, pairedRatios, quantile, ratioOf, type Cell, type ScenarioResult } from './result.js';

function cell(rounds: readonly [rps: number, cpu: number][]): Cell {
  const best = rounds.reduce((a, b) => (b[0] > a[0] ? b : a));
  return {
    kind: 'measured',
    wrk: { requestsPerSec: best[0], p50Ms: 1, p99Ms: 1, transferPerSec: 1, requests: best[0] * 2, non2xx: 0, socketErrors: 0 },
    cpuPerRequestUs: best[1],
    rounds: rounds.map(([requestsPerSec, cpuPerRequestUs]) => ({ requestsPerSec, cpuPerRequestUs })),
  };
}

function scenario(base: readonly [number, number][], mine: readonly [number, number][], atLeast: number): ScenarioResult {
  return {
    id: 't',
    title: 't',
    baseline: 'base',
    date: '2026-01-01T00:00:00Z',
    machine: { cpu: 'x', cores: 2, node: 'v20', wrk: '4', kernel: 'linux' },
    method: { serverCore: 0, wrkCore: 1, threads: 1, connections: 64, warmupSeconds: 1, seconds: 2, rounds: base.length, quietWaitSeconds: 1 },
    targets: [{ name: 'GET /', path: '/', method: 'GET', throughput: false }],
    contenders: [
      { name: 'base', cells: { 'GET /': cell(base) } },
      { name: 'mine', cells: { 'GET /': cell(mine) } },
    ],
    goals: [{ contender: 'mine', against: 'base', atLeast }],
    measures: [],
  };
}

test('median and quartiles interpolate between the middle values', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(quantile([1, 2, 3, 4, 5], 0.25), 2);
  assert.equal(median([]), undefined);
});

test('paired ratios compare round i with round i, CPU as baseline over contender', () => {
  const result = scenario([[100, 10], [50, 20]], [[90, 20], [45, 10]], 1);
  assert.deepEqual(pairedRatios(result, 'mine', 'GET /', 'base', 'rps'), [0.9, 0.9]);
  assert.deepEqual(pairedRatios(result, 'mine', 'GET /', 'base', 'cpu'), [0.5, 2]);
});

test('the ratio of a contender is its median requests/s over the baseline median, not the best rounds', () => {
  const result = scenario([[100, 10], [10, 10], [90, 10]], [[50, 10], [45, 10], [200, 10]], 1);
  assert.equal(ratioOf(result, 'mine', 'GET /'), 50 / 90);
});

test('a goal is judged on the median paired CPU ratio, and marked within the noise when its middle half straddles the goal', () => {
  const rounds = (cpus: number[]) => cpus.map((cpu) => [1000, cpu] as [number, number]);
  const clear = judgeGoals(scenario(rounds([10, 10, 10, 10]), rounds([9, 9.5, 9, 9.5]), 1))[0]!;
  assert.equal(clear.by, 'cpu');
  assert.equal(clear.met, true);
  assert.equal(clear.withinNoise, false);
  const noisy = judgeGoals(scenario(rounds([10, 10, 10, 10]), rounds([8, 9, 11, 12]), 1))[0]!;
  assert.equal(noisy.withinNoise, true);
  const missed = judgeGoals(scenario(rounds([10, 10, 10, 10]), rounds([12, 12, 13, 12]), 0.95))[0]!;
  assert.equal(missed.met, false);
  assert.equal(missed.withinNoise, false);
});
