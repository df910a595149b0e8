import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nameToLookUp, validateChanges, validateCredentials, validateName, validatePassword } from './validate.js';

const HANGUL_32 = '가'.repeat(32);

const validNames: [label: string, input: string, clean: string][] = [
  ['a plain name', 'alice', 'alice'],
  ['a Korean name', '홍길동', '홍길동'],
  ['32 Hangul syllables', HANGUL_32, HANGUL_32],
  ['32 emoji outside the BMP (64 UTF-16 units)', '😀'.repeat(32), '😀'.repeat(32)],
  ['a ZWJ emoji sequence', '👩‍💻', '👩‍💻'],
  ['one character', 'x', 'x'],
  ['surrounding spaces, trimmed', '  alice  ', 'alice'],
  ['an ideographic space around, trimmed', '\u3000김\u3000', '김'],
  ['an inner space, kept', '홍 길동', '홍 길동'],
  ['conjoining jamo, composed to NFC', '\u1112\u1161\u11AB', '한'],
  ['e + combining acute, composed to NFC', 'e\u0301', 'é'],
  ['__proto__', '__proto__', '__proto__'],
  ['constructor', 'constructor', 'constructor'],
  ['an SQL injection attempt, verbatim', "Robert'); DROP TABLE users;--", "Robert'); DROP TABLE users;--"],
  ['SQL LIKE wildcards, verbatim', '%_\\', '%_\\'],
  ['HTML, verbatim (escaping is the page’s job)', '<script>alert(1)</script>', '<script>alert(1)</script>'],
  ['32 characters with spaces around', `  ${'a'.repeat(32)}  `, 'a'.repeat(32)],
  ['Hangul with Latin letters', '김bob', '김bob'],
  ['Hangul with Han', '金민수', '金민수'],
  ['Hangul compatibility jamo', 'ㅋㅋㅋ', 'ㅋㅋㅋ'],
  ['archaic Hangul as conjoining jamo (no syllable to compose)', '\u1100\u119E', '\u1100\u119E'],
  ['Han with Hiragana and Katakana', '山田さくらカ', '山田さくらカ'],
  ['Han with Bopomofo', 'ㄅㄆ中文', 'ㄅㄆ中文'],
  ['Han with Latin', '北京abc', '北京abc'],
  ['a name wholly in Cyrillic', 'Иван', 'Иван'],
  ['a name wholly in Greek, with tonos', 'Αλέξης', 'Αλέξης'],
  ['Latin with digits, punctuation and an emoji', 'bob_99 🎉', 'bob_99 🎉'],
  ['a heart with its emoji variation selector VS16', 'bob ❤\uFE0F', 'bob ❤\uFE0F'],
  ['a keycap sequence', '1\uFE0F\u20E3', '1\uFE0F\u20E3'],
  ['a skin-toned ZWJ emoji sequence', '👩🏽\u200D💻', '👩🏽\u200D💻'],
  ['Persian with ZWNJ between joining letters', 'می\u200Cخواهم', 'می\u200Cخواهم'],
  ['Devanagari with ZWJ after a virama', 'क्\u200Dष', 'क्\u200Dष'],
  ['Malayalam with ZWNJ after a virama', 'ന്\u200Cമ', 'ന്\u200Cമ'],
  ['a Han character with an ideographic variation selector', '葛\u{E0100}城', '葛\u{E0100}城'],
];

for (const [label, input, clean] of validNames) {
  test(`accepts ${label}`, () => {
    assert.deepEqual(validateName(input), { ok: true, value: clean });
  });
}

const missingNames: [label: string, input: unknown][] = [
  ['an empty string', ''],
  ['only spaces', '   '],
  ['only ideographic spaces', '\u3000\u3000'],
  ['undefined', undefined],
];

for (const [label, input] of missingNames) {
  test(`refuses ${label} as a name with NAME_REQUIRED`, () => {
    const result = validateName(input);
    assert.equal(!result.ok && result.error.code, 'NAME_REQUIRED');
    assert.ok(!result.ok && result.error.message.length > 0);
  });
}

const invalidNames: [label: string, input: unknown][] = [
  ['33 characters', 'a'.repeat(33)],
  ['33 Hangul syllables', '가'.repeat(33)],
  ['a megabyte-long string', 'a'.repeat(1024 * 1024)],
  ['NUL', 'al\u0000ice'],
  ['a newline', 'al\nice'],
  ['a tab', 'al\tice'],
  ['DEL', 'al\u007Fice'],
  ['a C1 control', 'al\u0085ice'],
  ['RIGHT-TO-LEFT OVERRIDE U+202E', 'al\u202Eice'],
  ['a bidi isolate U+2066', '\u2066alice'],
  ['a zero-width space', 'al\u200Bice'],
  ['a byte order mark inside', 'al\uFEFFice'],
  ['a line separator', 'al\u2028ice'],
  ['a lone surrogate', 'al\uD800ice'],
  ['a private-use character', 'bob\uE000'],
  ['an unassigned code point', 'bob\u0378'],
  ['a noncharacter', 'bob\uFFFF'],
  ['a tag character', 'bob\u{E0062}'],
  ['a number', 42],
  ['null', null],
  ['an array', ['alice']],
  ['an object', { toString: () => 'alice' }],
  ['a boolean', true],
];

const invisibleNames: [label: string, input: string][] = [
  ['COMBINING GRAPHEME JOINER U+034F', 'bob\u034F'],
  ['ZERO WIDTH JOINER U+200D after a letter', 'bob\u200D'],
  ['ZERO WIDTH JOINER U+200D between letters', 'b\u200Dob'],
  ['ZERO WIDTH NON-JOINER U+200C between Latin letters', 'bo\u200Cb'],
  ['BRAILLE PATTERN BLANK U+2800', 'bob\u2800'],
  ['HANGUL FILLER U+3164', 'bob\u3164'],
  ['HANGUL FILLER U+3164 alone', '\u3164'],
  ['HANGUL CHOSEONG FILLER U+115F', '\u115Fbob'],
  ['HANGUL JUNGSEONG FILLER U+1160', '김\u1160'],
  ['HALFWIDTH HANGUL FILLER U+FFA0', 'bob\uFFA0'],
  ['KHMER VOWEL INHERENT AQ U+17B4', 'bob\u17B4'],
  ['MONGOLIAN FREE VARIATION SELECTOR U+180B', 'bob\u180B'],
  ['VARIATION SELECTOR-16 after a plain letter', 'bob\uFE0F'],
  ['VARIATION SELECTOR-1 U+FE00', 'bob\uFE00'],
  ['an ideographic variation selector after a Latin letter', 'bob\u{E0100}'],
  ['MUSICAL SYMBOL NULL NOTEHEAD U+1D159', 'bob\u{1D159}'],
  ['ZWJ after an emoji with nothing to join', '👩\u200D'],
];

for (const [label, input] of invisibleNames) {
  test(`refuses a name with ${label} with NAME_INVISIBLE_CHARACTER, naming the code point`, () => {
    const result = validateName(input);
    assert.equal(!result.ok && result.error.code, 'NAME_INVISIBLE_CHARACTER');
    assert.match(!result.ok ? result.error.message : '', /U\+[0-9A-F]{4,5}/);
  });
}

const mixedNames: [label: string, input: string][] = [
  ['Latin with a Cyrillic о', 'b\u043Eb'],
  ['Latin with a Cyrillic а', 'p\u0430ypal'],
  ['Latin with a Greek letter', 'alphaβ'],
  ['Cyrillic with a Latin letter', 'Ивaн'],
  ['Hangul with Hiragana (no one language writes both)', '김さくら'],
  ['Latin with Armenian', 'bo\u0585'],
];

for (const [label, input] of mixedNames) {
  test(`refuses ${label} with NAME_MIXED_SCRIPTS`, () => {
    const result = validateName(input);
    assert.equal(!result.ok && result.error.code, 'NAME_MIXED_SCRIPTS');
  });
}

for (const [label, input] of invalidNames) {
  test(`refuses ${label} as a name with INVALID_NAME`, () => {
    const result = validateName(input);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.error.code, 'INVALID_NAME');
    assert.ok(!result.ok && result.error.message.length > 0);
  });
}

test('nameToLookUp keeps a name that predates the invisible-character rule, trimmed and in NFC', () => {
  assert.equal(nameToLookUp(' bob\u200D '), 'bob\u200D');
  assert.equal(nameToLookUp('\u1112\u1161\u11AB'), '한');
});

test('nameToLookUp answers undefined for what no member can be named', () => {
  for (const input of [42, null, '', '   ', 'a'.repeat(33), 'al\uD800ice']) assert.equal(nameToLookUp(input), undefined, JSON.stringify(input));
});

test('checks a megabyte-long name quickly', () => {
  const start = performance.now();
  validateName(' '.repeat(1024 * 1024) + 'x'.repeat(1024 * 1024));
  assert.ok(performance.now() - start < 200);
});

const validPasswords: [label: string, input: string][] = [
  ['8 characters', 'abcdefgh'],
  ['128 characters', 'p'.repeat(128)],
  ['8 Hangul syllables', '비밀번호비밀번호'],
  ['8 emoji (16 UTF-16 units)', '🔑'.repeat(8)],
  ['spaces around, kept', '  spaced  '],
  ['a NUL inside', 'pass\u0000word'],
];

for (const [label, input] of validPasswords) {
  test(`accepts a password of ${label}, unchanged`, () => {
    assert.deepEqual(validatePassword(input), { ok: true, value: input });
  });
}

const invalidPasswords: [label: string, input: unknown][] = [
  ['7 characters', 'abcdefg'],
  ['4 emoji (8 UTF-16 units)', '🔑'.repeat(4)],
  ['129 characters', 'p'.repeat(129)],
  ['a megabyte', 'p'.repeat(1024 * 1024)],
  ['an empty string', ''],
  ['a lone surrogate', 'password\uDC00'],
  ['a number', 12345678],
  ['null', null],
  ['an array', ['password123']],
];

for (const [label, input] of invalidPasswords) {
  test(`refuses a password of ${label} with INVALID_PASSWORD`, () => {
    const result = validatePassword(input);
    assert.equal(!result.ok && result.error.code, 'INVALID_PASSWORD');
  });
}

test('validateCredentials returns the clean name and the password as sent', () => {
  assert.deepEqual(validateCredentials({ name: ' 김철수 ', password: ' secret pw ', extra: 1 }), {
    ok: true,
    value: { name: '김철수', password: ' secret pw ' },
  });
});

test('validateCredentials refuses bodies that are not objects with INVALID_BODY', () => {
  for (const body of [null, undefined, 'name=alice', 42, ['alice', 'password1']]) {
    const result = validateCredentials(body);
    assert.equal(!result.ok && result.error.code, 'INVALID_BODY', JSON.stringify(body));
  }
});

test('validateCredentials reads only own properties, never the prototype', () => {
  const inherited = Object.create({ name: 'alice', password: 'password1' }) as object;
  assert.equal(!validateCredentials(inherited).ok && 'refused', 'refused');
  const parsed = JSON.parse('{"__proto__": {"name": "alice"}, "password": "password1"}') as unknown;
  const result = validateCredentials(parsed);
  assert.equal(!result.ok && result.error.code, 'NAME_REQUIRED');
});

test('validateCredentials accepts __proto__ as the name itself', () => {
  const parsed = JSON.parse('{"name": "__proto__", "password": "password1"}') as unknown;
  assert.deepEqual(validateCredentials(parsed), { ok: true, value: { name: '__proto__', password: 'password1' } });
});

test('validateCredentials ignores a 10k-character key', () => {
  const body = { ['k'.repeat(10_000)]: 'v', name: 'alice', password: 'password1' };
  assert.deepEqual(validateCredentials(body), { ok: true, value: { name: 'alice', password: 'password1' } });
});

test('validateCredentials reports a missing name before a missing password', () => {
  const result = validateCredentials({});
  assert.equal(!result.ok && result.error.code, 'NAME_REQUIRED');
});

test('validateCredentials works on a null-prototype form record', () => {
  const form = Object.assign(Object.create(null) as Record<string, string>, { name: 'alice', password: 'password1' });
  assert.deepEqual(validateCredentials(form), { ok: true, value: { name: 'alice', password: 'password1' } });
});

const changes: [label: string, body: unknown, password: boolean, expected: unknown][] = [
  ['PUT with a name', { name: ' 새 이름 ' }, false, { ok: true, value: { name: '새 이름' } }],
  ['PUT ignores a password', { name: 'bob', password: 'password1' }, false, { ok: true, value: { name: 'bob' } }],
  ['PATCH with a password only', { password: 'password1' }, true, { ok: true, value: { password: 'password1' } }],
  ['PATCH with both', { name: 'bob', password: 'password1' }, true, { ok: true, value: { name: 'bob', password: 'password1' } }],
];

for (const [label, body, password, expected] of changes) {
  test(`validateChanges accepts ${label}`, () => {
    assert.deepEqual(validateChanges(body, { password }), expected);
  });
}

const badChanges: [label: string, body: unknown, password: boolean, code: string][] = [
  ['PUT without a name', { password: 'password1' }, false, 'NAME_REQUIRED'],
  ['PUT with an empty body', {}, false, 'NAME_REQUIRED'],
  ['PATCH with an empty name', { name: ' ' }, true, 'NAME_REQUIRED'],
  ['PATCH with nothing to change', { other: 1 }, true, 'NOTHING_TO_CHANGE'],
  ['PATCH with a short password', { name: 'bob', password: 'short' }, true, 'INVALID_PASSWORD'],
  ['PATCH with a control character in the name', { name: 'b\u0000b' }, true, 'INVALID_NAME'],
  ['PATCH with a null name', { name: null }, true, 'INVALID_NAME'],
  ['an array body', [], true, 'INVALID_BODY'],
  ['a null body', null, false, 'INVALID_BODY'],
];

for (const [label, body, password, code] of badChanges) {
  test(`validateChanges refuses ${label} with ${code}`, () => {
    const result = validateChanges(body, { password });
    assert.equal(!result.ok && result.error.code, code);
  });
}
