import assert from 'node:assert/strict';
import { test } from 'node:test';
import { legacyNameKey, nameKey, rekeyNames } from './name-key.js';

const same: [label: string, a: string, b: string][] = [
  ['names that differ in case', 'Alice', 'aLICE'],
  ['full-width and ASCII letters', 'ａｌｉｃｅ', 'alice'],
  ['a ligature and its letters', 'ﬁsh', 'fish'],
  ['precomposed and conjoining Hangul', '한', '\u1112\u1161\u11AB'],
  ['names with and without surrounding spaces', ' 김 ', '김'],
  ['a name and the same name followed by ZWJ U+200D', 'bob', 'bob\u200D'],
  ['a name and the same name followed by U+034F', 'bob', 'bob\u034F'],
  ['a name and the same name followed by HANGUL FILLER U+3164', 'bob', 'bob\u3164'],
  ['a name and the same name followed by BRAILLE PATTERN BLANK U+2800', 'bob', 'bob\u2800'],
  ['Hangul with and without HALFWIDTH HANGUL FILLER U+FFA0', '김철수', '김\uFFA0철수'],
  ['ß and SS (full case folding)', 'straße', 'STRASSE'],
  ['final and medial sigma', 'ΟΔΟΣ', 'οδος'],
  ['Latin BOB and Cyrillic ВОВ', 'BOB', '\u0412\u041E\u0412'],
  ['Latin pop and Cyrillic рор', 'pop', '\u0440\u043E\u0440'],
  ['Latin TOP, Greek ΤΟΡ and Cyrillic ТОР', 'TOP', '\u03A4\u039F\u03A1'],
  ['Greek ΤΟΡ and Cyrillic ТОР', '\u03A4\u039F\u03A1', '\u0422\u041E\u0420'],
  ['Cyrillic ё and Latin ë', '\u0451', 'ë'],
  ['Cherokee look-alikes and Latin capitals', '\u13A2\u13AC\u13DA\u13A2', 'TEST'],
  ['two spaces and one', 'a  b', 'a b'],
  ['an ideographic space and a space', '홍\u3000길동', '홍 길동'],
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

test('keeps apart names that only look alike within Latin (l and I, rn and m, 0 and O)', () => {
  assert.notEqual(nameKey('Ilya'), nameKey('llya'));
  assert.notEqual(nameKey('barn'), nameKey('bam'));
  assert.notEqual(nameKey('b0b'), nameKey('bob'));
});

test('keeps apart Hangul names that differ in one jamo', () => {
  assert.notEqual(nameKey('김민수'), nameKey('김민주'));
});

test('a legacy key never equals a name key: it starts with U+2060, which name keys drop', () => {
  assert.equal(legacyNameKey('Bob\u200D'), '\u2060bob\u200D');
  assert.equal(nameKey(legacyNameKey('bob')), nameKey('bob'));
  assert.notEqual(legacyNameKey('bob'), nameKey('bob'));
});

test('rekeyNames returns only the keys that change', () => {
  const members = [
    { id: '1', name: 'alice', key: 'alice' },
    { id: '2', name: 'Ｂｏｂ', key: 'bob' },
    { id: '3', name: 'ТОР', key: 'тор' },
  ];
  assert.deepEqual([...rekeyNames(members)], [['3', 'top']]);
});

test('rekeyNames lets the earliest of members whose names now collide keep the key, and the later ones their legacy keys', () => {
  const members = [
    { id: '1', name: 'bob', key: 'bob' },
    { id: '2', name: 'bob\u200D', key: 'bob\u200D' },
    { id: '3', name: 'ВОВ', key: 'вов' },
  ];
  assert.deepEqual([...rekeyNames(members)], [
    ['2', '\u2060bob\u200D'],
    ['3', '\u2060вов'],
  ]);
});

test('rekeyNames gives the key to the earliest member even when a later one held it before', () => {
  const members = [
    { id: '1', name: 'bob\u200D', key: 'bob\u200D' },
    { id: '2', name: 'bob', key: 'bob' },
  ];
  assert.deepEqual([...rekeyNames(members)], [
    ['1', 'bob'],
    ['2', '\u2060bob'],
  ]);
});
