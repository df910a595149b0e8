import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRequestTally, UNMATCHED } from './tally.js';

test('counts requests per method, route pattern and status, with their total time', () => {
  const tally = createRequestTally([0.01, 0.1]);
  tally.record('GET', '/users/:id', 200, 0.002);
  tally.record('GET', '/users/:id', 200, 0.004);
  tally.record('GET', '/users/:id', 404, 0.001);
  tally.record('POST', '/users', 201, 0.2);
  const rows = tally.entries().map((e) => [e.method, e.route, e.status, e.count, Math.round(e.sum * 1000)]);
  assert.deepEqual(rows, [
    ['GET', '/users/:id', '200', 2, 6],
    ['GET', '/users/:id', '404', 1, 1],
    ['POST', '/users', '201', 1, 200],
  ]);
});

test('puts each duration in the first bucket whose bound it does not exceed, and past the last bound in the overflow', () => {
  const tally = createRequestTally([0.01, 0.1]);
  for (const seconds of [0.001, 0.01, 0.05, 0.1, 0.5, 3]) tally.record('GET', '/', 200, seconds);
  assert.deepEqual([...tally.entries()[0]!.buckets], [2, 2, 2]);
});

test('labels requests without a route as unmatched and unknown methods as OTHER, never the raw value', () => {
  const tally = createRequestTally();
  tally.record('GET', undefined, 404, 0.001);
  tally.record('BREW', undefined, 405, 0.001);
  tally.record('brew', '/coffee', 405, 0.001);
  assert.deepEqual(
    tally.entries().map((e) => [e.method, e.route]),
    [
      ['GET', UNMATCHED],
      ['OTHER', UNMATCHED],
      ['OTHER', '/coffee'],
    ],
  );
});
