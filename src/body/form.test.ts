import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseForm } from './form.js';

test('parses a urlencoded form, decoding + and percent escapes', () => {
  assert.deepEqual({ ...parseForm('name=%EA%B9%80+a&password=p%26ss%3D') }, { name: '김 a', password: 'p&ss=' });
});

test('keeps the first of repeated names', () => {
  assert.deepEqual({ ...parseForm('a=1&a=2&b=3') }, { a: '1', b: '3' });
});

test('never throws on bad percent-encoding', () => {
  assert.deepEqual({ ...parseForm('a=%zz&b=%') }, { a: '%zz', b: '%' });
});

test('drops __proto__, constructor and prototype, also when percent-encoded', () => {
  const form = parseForm('__proto__=x&constructor=y&prototype=z&%5F%5Fproto%5F%5F=w&ok=1');
  assert.deepEqual(Object.keys(form), ['ok']);
  assert.equal(Object.getPrototypeOf(form), null);
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'x'), false);
});

test('gives an empty record for an empty body', () => {
  assert.deepEqual(Object.keys(parseForm('')), []);
});
