import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseLanguage, pickLanguage, type Lang } from './i18n.js';

const headers: [claim: string, header: string | undefined, expected: Lang][] = [
  ['no header is Korean', undefined, 'ko'],
  ['an empty header is Korean', '', 'ko'],
  ['English alone is English', 'en', 'en'],
  ['a regional English (en-US) is English', 'en-US', 'en'],
  ['a regional Korean (ko-KR) is Korean', 'ko-KR', 'ko'],
  ['case does not matter', 'EN-gb', 'en'],
  ['a language we do not speak falls back to Korean', 'fr-FR, de;q=0.9', 'ko'],
  ['the first language we speak counts, after one we do not', 'ja, en;q=0.8, ko;q=0.5', 'en'],
  ['a higher q-value wins over the order', 'ko;q=0.5, en;q=0.9', 'en'],
  ['a browser set to Korean first stays Korean', 'ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7', 'ko'],
  ['a browser set to English first is English', 'en-US,en;q=0.9,ko;q=0.8', 'en'],
  ['equal q-values keep the client\'s order', 'en;q=0.8, ko;q=0.8', 'en'],
  ['q=0 means "not English"', 'en;q=0', 'ko'],
  ['q=0 on Korean leaves English', 'ko;q=0, en;q=0.1', 'en'],
  ['spaces around the weight are allowed', 'ko ; q=0.2 , en ; q=0.3', 'en'],
  ['a malformed q-value voids its range', 'en;q=high, ko;q=0.1', 'ko'],
  ['a q-value above 1 voids its range', 'en;q=2, ko;q=0.5', 'ko'],
  ['the wildcard alone is the default, Korean', '*', 'ko'],
  ['a language hidden behind a thousand ranges is not looked for', `${'fr,'.repeat(1000)}en`, 'ko'],
];

for (const [claim, header, expected] of headers) {
  test(`pickLanguage: ${claim}`, () => {
    assert.equal(pickLanguage(header), expected);
  });
}

test('chooseLanguage: the switch\'s cookie wins over Accept-Language', () => {
  assert.equal(chooseLanguage('en', 'ko-KR,ko;q=0.9'), 'en');
  assert.equal(chooseLanguage('ko', 'en-US,en;q=0.9'), 'ko');
});

test('chooseLanguage: a cookie naming a language we do not speak is ignored', () => {
  assert.equal(chooseLanguage('fr', 'en'), 'en');
  assert.equal(chooseLanguage('EN', 'ko'), 'ko');
  assert.equal(chooseLanguage('', undefined), 'ko');
});

test('chooseLanguage: without a cookie Accept-Language decides', () => {
  assert.equal(chooseLanguage(undefined, 'en'), 'en');
});
