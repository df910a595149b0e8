import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstInvisible, VIRAMAS } from './invisible.js';

test('every character in the virama list has canonical combining class 9', () => {
  // NFD sorts adjacent marks by combining class (UAX #15 §3.3): a virama goes after a nukta (class 7) and before a
  // Hebrew sheva (class 10), which pins its class to 8 or 9 — and class 8 holds only two kana voicing marks.
  for (const virama of VIRAMAS) {
    const label = `U+${virama.codePointAt(0)!.toString(16).toUpperCase()}`;
    assert.equal(`a${virama}\u093C`.normalize('NFD'), `a\u093C${virama}`, label);
    assert.equal(`a\u05B0${virama}`.normalize('NFD'), `a${virama}\u05B0`, label);
  }
});

test('finds an invisible character in a name that has nothing else hidden', () => {
  assert.equal(firstInvisible('bo\u200Db'), '\u200D');
});

test('answers undefined for a name with no invisible character', () => {
  assert.equal(firstInvisible('홍길동 bob'), undefined);
});

test('reports the first stray joiner even when another joiner in the name does a job', () => {
  assert.equal(firstInvisible('👩\u200D💻 bob\u200D'), '\u200D');
});
