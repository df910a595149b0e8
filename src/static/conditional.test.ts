import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { test } from 'node:test';
import { etagListMatches, evaluatePreconditions, ifRangeHolds, parseHttpDate, type Precondition } from './conditional.js';

const validators = { etag: '"abc"', lastModified: Date.parse('Mon, 01 Jan 2024 00:00:00 GMT') / 1000 };
const BEFORE = 'Sun, 31 Dec 2023 23:59:59 GMT';
const SAME = 'Mon, 01 Jan 2024 00:00:00 GMT';
const AFTER = 'Tue, 02 Jan 2024 00:00:00 GMT';

const cases: [claim: string, headers: IncomingHttpHeaders, expected: Precondition][] = [
  ['proceeds without conditional headers', {}, 'proceed'],
  ['answers 304 when If-None-Match names the current tag', { 'if-none-match': '"abc"' }, 'not-modified'],
  ['answers 304 when If-None-Match lists the current tag among others', { 'if-none-match': '"x", "abc" ,"y"' }, 'not-modified'],
  ['answers 304 when If-None-Match names the weak form of the tag (weak comparison)', { 'if-none-match': 'W/"abc"' }, 'not-modified'],
  ['answers 304 for If-None-Match: *', { 'if-none-match': '*' }, 'not-modified'],
  ['proceeds when If-None-Match names another tag', { 'if-none-match': '"old"' }, 'proceed'],
  ['answers 304 when If-Modified-Since is the Last-Modified date', { 'if-modified-since': SAME }, 'not-modified'],
  ['answers 304 when If-Modified-Since is later', { 'if-modified-since': AFTER }, 'not-modified'],
  ['proceeds when If-Modified-Since is earlier', { 'if-modified-since': BEFORE }, 'proceed'],
  ['ignores an If-Modified-Since that is not a date', { 'if-modified-since': 'yesterday-ish' }, 'proceed'],
  ['lets If-None-Match win over If-Modified-Since (a mismatch proceeds)', { 'if-none-match': '"old"', 'if-modified-since': AFTER }, 'proceed'],
  ['lets If-None-Match win over If-Modified-Since (a match is 304)', { 'if-none-match': '"abc"', 'if-modified-since': BEFORE }, 'not-modified'],
  ['proceeds when If-Match names the current tag', { 'if-match': '"abc"' }, 'proceed'],
  ['fails (412) when If-Match names another tag', { 'if-match': '"old"' }, 'failed'],
  ['fails (412) when If-Match names only the weak form (strong comparison)', { 'if-match': 'W/"abc"' }, 'failed'],
  ['proceeds for If-Match: *', { 'if-match': '*' }, 'proceed'],
  ['fails (412) when If-Unmodified-Since is earlier than Last-Modified', { 'if-unmodified-since': BEFORE }, 'failed'],
  ['proceeds when If-Unmodified-Since is the Last-Modified date', { 'if-unmodified-since': SAME }, 'proceed'],
  ['lets If-Match win over If-Unmodified-Since', { 'if-match': '"abc"', 'if-unmodified-since': BEFORE }, 'proceed'],
  ['checks If-Match before If-None-Match', { 'if-match': '"old"', 'if-none-match': '"abc"' }, 'failed'],
];

for (const [claim, headers, expected] of cases) {
  test(claim, () => assert.equal(evaluatePreconditions(headers, validators), expected));
}

const ifRangeCases: [claim: string, header: string | undefined, expected: boolean][] = [
  ['honours a Range without If-Range', undefined, true],
  ['honours a Range when If-Range names the current strong tag', '"abc"', true],
  ['ignores the Range when If-Range names another tag', '"old"', false],
  ['ignores the Range when If-Range names a weak tag', 'W/"abc"', false],
  ['honours a Range when If-Range is exactly the Last-Modified date', SAME, true],
  ['ignores the Range when If-Range is another date', AFTER, false],
  ['ignores the Range when If-Range is neither tag nor date', 'whenever', false],
];

for (const [claim, header, expected] of ifRangeCases) {
  test(claim, () => assert.equal(ifRangeHolds(header, validators), expected));
}

test('matches no weak tag in a strong comparison list', () => {
  assert.equal(etagListMatches('W/"abc", "def"', '"abc"', false), false);
  assert.equal(etagListMatches('W/"abc", "def"', '"abc"', true), true);
});

const listCases: [claim: string, header: string, expected: boolean][] = [
  ['matches the tag alone', '"abc"', true],
  ['matches the tag first, in the middle or last in a list', '"abc", "x"|"x","abc","y"|"x" ,\t"abc"', true],
  ['matches a strong tag after a weak copy of it', 'W/"abc", "abc"', true],
  ['matches * alone, with whitespace around', ' * ', true],
  ['matches no tag that only contains the tag', '"x"abc"", "abc"x', false],
  ['matches no tag that another tag ends with or starts with', '"xabc", "abcx"', false],
  ['matches no tag glued to another without a comma', '"x""abc"', false],
  ['matches no list without the tag', '"x", W/"y", *x', false],
];

for (const [claim, headers, expected] of listCases) {
  test(`etagListMatches ${claim}`, () => {
    for (const header of headers.split('|')) {
      assert.equal(etagListMatches(header, '"abc"', false), expected, header);
    }
  });
}

test('reads HTTP dates in whole seconds and refuses garbage', () => {
  assert.equal(parseHttpDate('Mon, 01 Jan 2024 00:00:00 GMT'), 1704067200);
  assert.equal(parseHttpDate('not a date'), undefined);
  assert.equal(parseHttpDate(undefined), undefined);
});
