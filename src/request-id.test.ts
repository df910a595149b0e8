import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptRequestId, nextRequestId } from './request-id.js';

test('makes distinct, short, header-safe ids', () => {
  const ids = new Set(Array.from({ length: 1000 }, () => nextRequestId()));
  assert.equal(ids.size, 1000);
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-z]{1,11}$/);
});

test('accepts a plain incoming id up to 128 characters', () => {
  for (const id of ['a', 'req-1', 'a.b:c_d-e', '0'.repeat(128)]) assert.equal(acceptRequestId(id), id);
});

test('refuses an incoming id that is long, empty, repeated or carries other characters', () => {
  for (const id of ['', '0'.repeat(129), 'a b', 'a\r\nb', 'a"b', '<x>', 'é', '%41']) assert.equal(acceptRequestId(id), undefined, JSON.stringify(id));
  assert.equal(acceptRequestId(['a', 'b']), undefined);
  assert.equal(acceptRequestId(undefined), undefined);
});
