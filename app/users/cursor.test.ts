import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkLimit, decodeCursor, encodeCursor } from './cursor.js';

const position = { createdAt: '2026-11-23T12:30:00.123Z', id: '3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e' };

test('decodeCursor reads back what encodeCursor wrote', () => {
  assert.deepEqual(decodeCursor(encodeCursor(position)), position);
});

test('encodeCursor writes URL-safe text only', () => {
  assert.match(encodeCursor(position), /^[A-Za-z0-9_-]+$/);
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const malformed: [label: string, cursor: string][] = [
  ['an empty string', ''],
  ['characters outside base64url', 'abc+/='],
  ['a very long string', 'A'.repeat(100_000)],
  ['base64url of non-JSON', Buffer.from('hello').toString('base64url')],
  ['a JSON object instead of a pair', b64(position)],
  ['a pair with a number', b64([1, position.id])],
  ['three elements', b64([position.createdAt, position.id, 'x'])],
  ['a date without milliseconds', b64(['2026-11-23T12:30:00Z', position.id])],
  ['an impossible date', b64(['2026-02-30T12:30:00.000Z', position.id])],
  ['a date with an offset', b64(['2026-11-23T12:30:00.000+09:00', position.id])],
  ['an upper-case UUID', b64([position.createdAt, position.id.toUpperCase()])],
  ['SQL instead of an id', b64([position.createdAt, "' OR 1=1 --"])],
  ['__proto__', b64(['__proto__', '__proto__'])],
];

for (const [label, cursor] of malformed) {
  test(`decodeCursor throws a RangeError for ${label}`, () => {
    assert.throws(() => decodeCursor(cursor), RangeError);
  });
}

test('checkLimit accepts the integers 1 to 100 and throws a RangeError for anything else', () => {
  assert.equal(checkLimit(1), 1);
  assert.equal(checkLimit(100), 100);
  for (const limit of [0, 101, -5, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) assert.throws(() => checkLimit(limit), RangeError);
});
