// Names that look like another member's, against `maru serve` as a process: invisible code points, format and
// bidi controls, confusable letters from other scripts, width and case variants, compatibility forms. Each case:
// the exact status and code, no member added or renamed, the next request served at once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertCleanLogs, assertIntact, signUp, snapshot, type Member } from './checks.js';
import { startProcess, type Target } from './target.js';
import { codeOf, http } from './wire.js';

const JSON_TYPE = { 'content-type': 'application/json' };

/** [what the name holds, the name, status, code]. Taken: `bob`, `josé`. */
const cases: [what: string, name: string, status: number, code: string][] = [
  ['U+034F COMBINING GRAPHEME JOINER', 'bob\u034F', 400, 'NAME_INVISIBLE_CHARACTER'],
  ['U+200D ZERO WIDTH JOINER', 'bob\u200D', 400, 'NAME_INVISIBLE_CHARACTER'],
  ['U+200C ZERO WIDTH NON-JOINER', 'b\u200Cob', 400, 'NAME_INVISIBLE_CHARACTER'],
  ['U+2800 BRAILLE PATTERN BLANK', 'bob\u2800', 400, 'NAME_INVISIBLE_CHARACTER'],
  ['U+3164 HANGUL FILLER', 'bob\u3164', 400, 'NAME_INVISIBLE_CHARACTER'],
  ['U+115F HANGUL CHOSEONG FILLER', '\u115Fbob', 400, 'NAME_INVISIBLE_CHARACTER'],
  ['a variation selector after a letter', 'b\uFE0Fob', 400, 'NAME_INVISIBLE_CHARACTER'],
  ['U+200B ZERO WIDTH SPACE', 'bo\u200Bb', 400, 'INVALID_NAME'],
  ['U+00AD SOFT HYPHEN', 'bo\u00ADb', 400, 'INVALID_NAME'],
  ['U+FEFF ZERO WIDTH NO-BREAK SPACE inside', 'bo\uFEFFb', 400, 'INVALID_NAME'],
  ['U+202E RIGHT-TO-LEFT OVERRIDE (Trojan Source)', 'bob\u202Egnp.exe', 400, 'INVALID_NAME'],
  ['U+2066 LEFT-TO-RIGHT ISOLATE … U+2069', '\u2066bob\u2069', 400, 'INVALID_NAME'],
  ['U+061C ARABIC LETTER MARK', 'bob\u061C', 400, 'INVALID_NAME'],
  ['a tab', 'b\tob', 400, 'INVALID_NAME'],
  ['a newline (a forged log line)', 'bob\n{"level":50}', 400, 'INVALID_NAME'],
  ['a NUL', 'bob\u0000', 400, 'INVALID_NAME'],
  ['U+2028 LINE SEPARATOR inside', 'bo\u2028b', 400, 'INVALID_NAME'],
  ['a private-use character', 'bob\uE000', 400, 'INVALID_NAME'],
  ['an unassigned code point', 'bob\u0378', 400, 'INVALID_NAME'],
  ['a Cyrillic о among Latin letters', 'b\u043Eb', 400, 'NAME_MIXED_SCRIPTS'],
  ['a Greek ο among Latin letters', 'b\u03BFb', 400, 'NAME_MIXED_SCRIPTS'],
  ['all-Cyrillic letters that read as BOB', '\u0412\u041E\u0412', 409, 'NAME_TAKEN'],
  ['all-Greek letters that read as BOB', '\u0392\u039F\u0392', 409, 'NAME_TAKEN'],
  ['fullwidth letters', '\uFF22\uFF2F\uFF22', 409, 'NAME_TAKEN'],
  ['mathematical bold letters', '\u{1D41B}\u{1D428}\u{1D41B}', 409, 'NAME_TAKEN'],
  ['capitals', 'BOB', 409, 'NAME_TAKEN'],
  ['spaces around it', '  bob\u3000', 409, 'NAME_TAKEN'],
  ['U+FEFF and U+2028 around it (trimmed as white space)', '\uFEFFbob\u2028', 409, 'NAME_TAKEN'],
  ['a decomposed é (NFD)', 'jose\u0301', 409, 'NAME_TAKEN'],
  ['33 letters', 'b'.repeat(33), 400, 'INVALID_NAME'],
  ['only an ideographic space', '\u3000', 400, 'NAME_REQUIRED'],
];

describe('look-alike names against maru serve', () => {
  let target: Target;
  let resident: Member;

  before(async () => {
    target = await startProcess();
    resident = await signUp(target, 'resident');
    for (const name of ['bob', 'josé']) {
      const res = await http(target, '/users', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ name, password: 'password-123' }) });
      assert.equal(res.status, 201);
    }
  });
  after(() => target.close());

  for (const [what, name, status, code] of cases) {
    test(`answers ${status} ${code} to a name with ${what}, and adds no member`, async () => {
      const before = await snapshot(target, resident);
      const res = await http(target, '/users', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ name, password: 'password-123' }) });
      assert.equal(res.status, status, res.body);
      assert.equal(codeOf(res.body), code);
      await assertIntact(target, resident, before);
    });
  }

  for (const [what, name, status, code] of [
    ['fullwidth letters', '\uFF22\uFF2F\uFF22', 409, 'NAME_TAKEN'],
    ['a zero width joiner', 'bob\u200D', 400, 'NAME_INVISIBLE_CHARACTER'],
    ['a right-to-left override', '\u202Ebob', 400, 'INVALID_NAME'],
  ] as const) {
    test(`answers ${status} ${code} to a rename to a name with ${what}, and the name stays`, async () => {
      const before = await snapshot(target, resident);
      const res = await http(target, `/users/${resident.id}`, { method: 'PUT', headers: { ...JSON_TYPE, cookie: resident.cookie }, body: JSON.stringify({ name }) });
      assert.equal(res.status, status, res.body);
      assert.equal(codeOf(res.body), code);
      await assertIntact(target, resident, before);
    });
  }

  test('logged no error and answered no request with a 5xx', () => {
    assertCleanLogs(target.logs(), { passwords: ['password-123'] });
  });
});
