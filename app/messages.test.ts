import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorMessage, MESSAGES } from './messages.js';

test('Korean and English explain the same error codes', () => {
  assert.deepEqual(Object.keys(MESSAGES.ko.errors).sort(), Object.keys(MESSAGES.en.errors).sort());
});

test('Korean and English have the same words', () => {
  assert.deepEqual(Object.keys(MESSAGES.ko).sort(), Object.keys(MESSAGES.en).sort());
});

test('an empty name reads "이름을 반드시 입력하셔야 합니다" in Korean and a sentence in English', () => {
  assert.equal(errorMessage(MESSAGES.ko, 'NAME_REQUIRED'), '이름을 반드시 입력하셔야 합니다.');
  assert.equal(errorMessage(MESSAGES.en, 'NAME_REQUIRED'), 'Please enter a name.');
});

test('an unknown code gets the generic sentence of its language, never the code', () => {
  assert.equal(errorMessage(MESSAGES.ko, 'SOMETHING_NEW'), MESSAGES.ko.unknownError);
  assert.equal(errorMessage(MESSAGES.en, 'SOMETHING_NEW'), MESSAGES.en.unknownError);
});

test('a code named like an Object property is unknown, not a function', () => {
  for (const code of ['__proto__', 'toString', 'constructor', 'hasOwnProperty']) {
    assert.equal(errorMessage(MESSAGES.en, code), MESSAGES.en.unknownError, code);
  }
});

test('the language switch of each language leads to the other', () => {
  assert.equal(MESSAGES.ko.switchTo.lang, 'en');
  assert.equal(MESSAGES.en.switchTo.lang, 'ko');
});
