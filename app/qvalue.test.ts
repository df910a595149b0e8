import assert from 'node:assert/strict';
import { test } from 'node:test';
import { weightOf } from './qvalue.js';

const cases: [params: string[], expected: number | undefined][] = [
  [[], 1],
  [['level=1'], 1],
  [['q=0.8'], 0.8],
  [[' Q=0.5 '], 0.5],
  [['q=1.000'], 1],
  [['q=0'], 0],
  [['q=0.'], 0],
  [['q=1.5'], undefined],
  [['q=0.1234'], undefined],
  [['q='], undefined],
  [['q=-1'], undefined],
  [['q=high'], undefined],
];

for (const [params, expected] of cases) {
  test(`weightOf(${JSON.stringify(params)}) is ${expected}`, () => {
    assert.equal(weightOf(params), expected);
  });
}
