import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpError, isHttpError } from './errors.js';

test('exposes the message of a 4xx and hides that of a 5xx unless told', () => {
  assert.equal(new HttpError(404, 'NOT_FOUND', 'x').expose, true);
  assert.equal(new HttpError(500, 'INTERNAL', 'x').expose, false);
  assert.equal(new HttpError(503, 'DOWN', 'x', { expose: true }).expose, true);
  assert.equal(new HttpError(400, 'BAD', 'x', { expose: false }).expose, false);
});

test('keeps status, code, message, headers and cause', () => {
  const cause = new Error('root');
  const err = new HttpError(405, 'METHOD_NOT_ALLOWED', 'no', { headers: { allow: 'GET' }, cause });
  assert.deepEqual([err.status, err.code, err.message, err.headers, err.cause, err.name], [405, 'METHOD_NOT_ALLOWED', 'no', { allow: 'GET' }, cause, 'HttpError']);
  assert.ok(err instanceof Error);
  assert.ok(isHttpError(err));
  assert.equal(isHttpError(new Error('x')), false);
});

test('refuses a status that is not an error status', () => {
  for (const status of [200, 302, 399, 600, 404.5, Number.NaN]) {
    assert.throws(() => new HttpError(status, 'X', 'x'), /HttpError status must be an integer from 400 to 599/, String(status));
  }
});
