import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nameKey } from './name-key.js';

const same: [label: string, a: string, b: string][] = [
  ['names that differ in case', 'Alice', 'aLICE'],
  ['full-width and ASCII letters', 'ａｌｉｃｅ', 'alice'],
  ['a ligature and its letters', 'ﬁsh', 'fish'],
  ['precomposed and conjoining Hangul', '한', '\u1112\u1161\u11AB'],
  ['names with and without surrounding spaces', ' 김 ', '김'],
];

for (const [label, a, b] of same) {
  test(`gives one key to ${label}`, () => {
    assert.equal(nameKey(a), nameKey(b));
  });
}

test('gives different keys to different names', () => {
  assert.notEqual(nameKey('홍길동'), nameKey('홍길순'));
  assert.notEqual(nameKey('alice'), nameKey('alice2'));
  assert.notEqual(nameKey('a b'), nameKey('ab'));
});

test('leaves Hangul and SQL-looking names unchanged', () => {
  assert.equal(nameKey('홍길동'), '홍길동');
  assert.equal(nameKey("' or '1'='1"), "' or '1'='1");
});
