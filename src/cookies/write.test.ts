import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serializeCookie } from './write.js';

test('writes every attribute', () => {
  const value = serializeCookie('sid', 'abc', {
    maxAge: 3600,
    expires: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)),
    domain: 'example.com',
    path: '/app',
    secure: true,
    httpOnly: true,
    sameSite: 'strict',
    partitioned: true,
  });
  assert.equal(
    value,
    'sid=abc; Max-Age=3600; Domain=example.com; Path=/app; Expires=Wed, 02 Jan 2030 03:04:05 GMT; HttpOnly; Secure; Partitioned; SameSite=Strict',
  );
});

for (const [sameSite, written] of [['strict', 'Strict'], ['lax', 'Lax'], ['none', 'None']] as const) {
  test(`writes SameSite=${written}`, () => {
    assert.match(serializeCookie('a', 'b', { sameSite, secure: true }), new RegExp(`; SameSite=${written}$`));
  });
}

test('percent-encodes CR, LF and ; so a value can never split the header or add an attribute', () => {
  const value = serializeCookie('a', 'x\r\nSet-Cookie: evil=1; Domain=evil.example');
  assert.equal(value, 'a=x%0D%0ASet-Cookie%3A%20evil%3D1%3B%20Domain%3Devil.example');
  assert.doesNotMatch(value, /[\r\n;]/);
});

test('percent-encodes non-ASCII', () => {
  assert.equal(serializeCookie('a', 'é 김'), 'a=%C3%A9%20%EA%B9%80');
});

test('turns a lone surrogate into U+FFFD instead of throwing', () => {
  assert.equal(serializeCookie('a', 'x\uD800y'), 'a=x%EF%BF%BDy');
});

test('floors Max-Age and turns a negative one into 0 (expire now)', () => {
  assert.equal(serializeCookie('a', 'b', { maxAge: 10.9 }), 'a=b; Max-Age=10');
  assert.equal(serializeCookie('a', 'b', { maxAge: -5 }), 'a=b; Max-Age=0');
});

const rejected: [string, () => string][] = [
  ['a name with a space', () => serializeCookie('a b', 'x')],
  ['a name with =', () => serializeCookie('a=b', 'x')],
  ['a name with CR LF', () => serializeCookie('a\r\nb', 'x')],
  ['an empty name', () => serializeCookie('', 'x')],
  ['a domain with ;', () => serializeCookie('a', 'x', { domain: 'example.com; Secure' })],
  ['a path with ;', () => serializeCookie('a', 'x', { path: '/; Domain=evil' })],
  ['a path with a newline', () => serializeCookie('a', 'x', { path: '/\n' })],
  ['an invalid date', () => serializeCookie('a', 'x', { expires: new Date(NaN) })],
  ['a Max-Age that is not a number', () => serializeCookie('a', 'x', { maxAge: NaN })],
];

for (const [what, call] of rejected) {
  test(`throws a TypeError at set time for ${what}`, () => {
    assert.throws(call, TypeError);
  });
}
