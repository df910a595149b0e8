import assert from 'node:assert/strict';
import { test } from 'node:test';
import { knownScripts, mixesScripts, scriptsOf } from './scripts.js';

const single: [label: string, text: string][] = [
  ['Latin', 'Alice'],
  ['Hangul', '홍길동'],
  ['Cyrillic', 'Иван'],
  ['Greek with polytonic marks', 'Ἀθῆναι'],
  ['Arabic', 'محمد'],
  ['Devanagari', 'सत्यजित'],
  ['digits, punctuation and emoji only', '123 🎉!'],
];

for (const [label, text] of single) {
  test(`a name all in ${label} mixes nothing`, () => {
    assert.equal(mixesScripts(text), false);
  });
}

const allowed: [label: string, text: string][] = [
  ['Hangul and Latin', '김bob'],
  ['Hangul, Han and Latin', '金민수 kim'],
  ['Han, Hiragana and Katakana', '山田さくらカ'],
  ['Han, Hiragana and Latin', '東京tokyoです'],
  ['Han and Bopomofo', 'ㄅㄆ中文'],
];

for (const [label, text] of allowed) {
  test(`${label} together are Highly Restrictive (UTS #39 §5.2), so allowed`, () => {
    assert.equal(mixesScripts(text), false);
  });
}

const mixed: [label: string, text: string][] = [
  ['Latin and Cyrillic', 'b\u043Eb'],
  ['Latin and Greek', 'alphaβ'],
  ['Latin and Armenian', 'bo\u0585'],
  ['Hangul and Hiragana', '김さくら'],
  ['Hangul and Cyrillic', '김Иван'],
  ['Cyrillic and Greek', 'Иβ'],
];

for (const [label, text] of mixed) {
  test(`${label} together mix scripts`, () => {
    assert.equal(mixesScripts(text), true);
  });
}

test('Han counts as Japanese, Chinese and Korean too (augmented script sets, UTS #39 §5.1)', () => {
  assert.deepEqual([...scriptsOf('中')].sort(), ['Hanb', 'Hani', 'Jpan', 'Kore']);
});

test('every assigned character outside Common and Inherited has a script in the table', () => {
  const classes = knownScripts().map((code) => `\\p{scx=${code}}`).join('');
  const covered = new RegExp(`[\\p{scx=Zyyy}\\p{scx=Zinh}\\p{Cn}\\p{Co}\\p{Cs}${classes}]`, 'u');
  const missing: string[] = [];
  for (let cp = 0; cp < 0x110000; cp++) {
    if (!covered.test(String.fromCodePoint(cp))) missing.push(`U+${cp.toString(16).toUpperCase()}`);
  }
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} characters of scripts missing from the table`);
});
