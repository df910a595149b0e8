import assert from 'node:assert/strict';
import { test } from 'node:test';
import { charsetOf, isJsonType, mediaType } from './media-type.js';

test('reads the media type without parameters, lower-cased', () => {
  assert.equal(mediaType('Application/JSON; charset=utf-8'), 'application/json');
  assert.equal(mediaType(' text/plain '), 'text/plain');
  assert.equal(mediaType(undefined), '');
  assert.equal(mediaType(''), '');
});

test('takes application/json and +json types as JSON, nothing else', () => {
  assert.equal(isJsonType('application/json'), true);
  assert.equal(isJsonType('application/merge-patch+json'), true);
  assert.equal(isJsonType('text/json'), false);
  assert.equal(isJsonType('application/jsonx'), false);
  assert.equal(isJsonType('text/plain'), false);
  assert.equal(isJsonType(''), false);
});

test('reads the charset parameter, quoted or not, lower-cased', () => {
  assert.equal(charsetOf('text/plain; charset=UTF-8'), 'utf-8');
  assert.equal(charsetOf('text/plain;charset="iso-8859-1"'), 'iso-8859-1');
  assert.equal(charsetOf('application/json'), undefined);
  assert.equal(charsetOf(undefined), undefined);
});
