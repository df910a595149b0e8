import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { isFileBody, mergeHeaders, statusHasNoBody } from './reply.js';

test('lays extra headers over the reply\'s own and appends Set-Cookie', () => {
  const own = { 'content-type': 'text/plain', 'cache-control': 'public', 'set-cookie': 'a=1' };
  const merged = mergeHeaders(own, { 'cache-control': 'no-store', 'set-cookie': ['b=2', 'c=3'], vary: 'Cookie' });
  assert.deepEqual(merged, { 'content-type': 'text/plain', 'cache-control': 'no-store', 'set-cookie': ['a=1', 'b=2', 'c=3'], vary: 'Cookie' });
});

test('never mutates the reply\'s own headers, which may be shared', () => {
  const own = Object.freeze({ 'set-cookie': Object.freeze(['a=1']) as readonly string[] });
  const merged = mergeHeaders(own, { 'set-cookie': ['b=2'] });
  assert.deepEqual(own, { 'set-cookie': ['a=1'] });
  assert.deepEqual(merged['set-cookie'], ['a=1', 'b=2']);
  assert.equal(mergeHeaders(own, undefined), own);
});

test('knows which statuses carry no body', () => {
  assert.deepEqual([100, 101, 199, 204, 304].map(statusHasNoBody), [true, true, true, true, true]);
  assert.deepEqual([200, 201, 205, 301, 404, 500].map(statusHasNoBody), [false, false, false, false, false, false]);
});

test('tells a file body from other bodies', () => {
  assert.equal(isFileBody({ kind: 'file', path: '/x', start: 0, end: 1 }), true);
  assert.equal(isFileBody('file'), false);
  assert.equal(isFileBody(null), false);
  assert.equal(isFileBody(new Uint8Array(1)), false);
  assert.equal(isFileBody(Readable.from([])), false);
});
