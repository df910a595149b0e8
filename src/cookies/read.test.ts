import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCookieHeader } from './read.js';

const cases: [string, string | undefined, Record<string, string>][] = [
  ['no header', undefined, {}],
  ['an empty header', '', {}],
  ['one pair', 'sid=abc', { sid: 'abc' }],
  ['several pairs with odd spacing', 'a=1;b=2 ;  c = 3', { a: '1', b: '2', c: '3' }],
  ['duplicate names: the first wins', 'a=first; a=second', { a: 'first' }],
  ['a quoted value, without its quotes', 'a="quoted value"', { a: 'quoted value' }],
  ['a lone quote kept as it is', 'a="', { a: '"' }],
  ['= inside a value', 'a=b=c==', { a: 'b=c==' }],
  ['percent-encoding decoded', 'a=%20x%C3%A9', { a: ' xé' }],
  ['a bad percent-encoding kept raw', 'a=%E0%A4%A; b=100%', { a: '%E0%A4%A', b: '100%' }],
  ['pairs without = skipped', 'junk; a=1; ;;', { a: '1' }],
  ['an empty name skipped', '=x; a=1', { a: '1' }],
  ['an empty value kept', 'a=; b=2', { a: '', b: '2' }],
];

for (const [what, header, expected] of cases) {
  test(`parses ${what}`, () => {
    assert.deepEqual({ ...parseCookieHeader(header) }, expected);
  });
}

test('a name like __proto__ is an ordinary key, not a prototype change', () => {
  const cookies = parseCookieHeader('__proto__=x; constructor=y');
  assert.equal(cookies['__proto__'], 'x');
  assert.equal(Object.getPrototypeOf(cookies), null);
});

test('parses a huge Cookie header in linear time', () => {
  const header = Array.from({ length: 20_000 }, (_, i) => `c${i}=${'v'.repeat(40)}`).join('; ');
  const started = performance.now();
  const cookies = parseCookieHeader(header);
  assert.ok(performance.now() - started < 500);
  assert.equal(Object.keys(cookies).length, 20_000);
  assert.equal(cookies.c19999, 'v'.repeat(40));
});

test('survives a huge header of separators only', () => {
  assert.deepEqual({ ...parseCookieHeader(';'.repeat(1_000_000)) }, {});
  assert.deepEqual({ ...parseCookieHeader('='.repeat(100_000)) }, {});
});
