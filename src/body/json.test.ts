import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpError } from '../errors.js';
import { parseJson } from './json.js';

const FORBIDDEN = ['__proto__', 'constructor', 'prototype'];

/** Every key at every depth of a parsed value. */
function allKeys(value: unknown, into: string[] = []): string[] {
  if (value === null || typeof value !== 'object') return into;
  for (const key of Object.keys(value)) {
    into.push(key);
    allKeys((value as Record<string, unknown>)[key], into);
  }
  return into;
}

test('parses plain JSON values', () => {
  assert.deepEqual(parseJson('{"name":"김","tags":["a"],"n":1.5,"ok":true,"none":null}'), { name: '김', tags: ['a'], n: 1.5, ok: true, none: null });
  assert.deepEqual(parseJson(' [1,2] '), [1, 2]);
  assert.equal(parseJson('"s"'), 's');
});

test('drops __proto__, constructor and prototype keys at any depth, however they are spelled', () => {
  const texts = [
    '{"name":"a","__proto__":{"admin":true}}',
    '{"a":{"b":[{"__proto__":{"admin":true},"keep":1}]}}',
    '{"constructor":{"prototype":{"admin":true}},"keep":1}',
    '{"\\u005f\\u005fproto\\u005f\\u005f":{"admin":true},"keep":1}',
    '{"\\u0063onstructor":{"\\u0070rototype":{"admin":true}}}',
    '{"x":{"\\u005F_proto__":{"admin":true}}}',
  ];
  for (const text of texts) {
    const data = parseJson(text);
    const keys = allKeys(data);
    for (const key of FORBIDDEN) assert.equal(keys.includes(key), false, `${text} kept ${key}`);
    // The parsed data is safe to merge: neither a plain merge nor a deep one can reach a prototype.
    const target: Record<string, unknown> = {};
    Object.assign(target, data);
    deepMerge({}, data);
    assert.equal(({} as Record<string, unknown>).admin, undefined, text);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'admin'), false, text);
    assert.equal(Object.getPrototypeOf(target), Object.prototype);
  }
});

test('keeps keys that only contain a forbidden word', () => {
  assert.deepEqual(parseJson('{"my__proto__":1,"constructors":2,"prototyped":3}'), { my__proto__: 1, constructors: 2, prototyped: 3 });
});

test('answers malformed JSON with a short 400 that does not echo the input', () => {
  for (const text of ['{"a":', '{a:1}', "{'a':1}", '[1,]', 'secret-token-123', '{"a":1}}']) {
    assert.throws(
      () => parseJson(text),
      (err: unknown) => err instanceof HttpError && err.status === 400 && err.code === 'MALFORMED_JSON' && err.message === 'request body is not valid JSON',
      text,
    );
  }
});

test('answers an empty or blank body with a 400 EMPTY_BODY', () => {
  for (const text of ['', '   ', '\n\t']) {
    assert.throws(() => parseJson(text), (err: unknown) => err instanceof HttpError && err.status === 400 && err.code === 'EMPTY_BODY');
  }
});

function deepMerge(target: Record<string, unknown>, source: unknown): void {
  if (source === null || typeof source !== 'object') return;
  for (const key of Object.keys(source)) {
    const value = (source as Record<string, unknown>)[key];
    if (value !== null && typeof value === 'object') {
      if (typeof target[key] !== 'object' || target[key] === null) target[key] = {};
      deepMerge(target[key] as Record<string, unknown>, value);
    } else {
      target[key] = value;
    }
  }
}
