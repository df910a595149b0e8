import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { HttpError } from '../errors.js';
import { createBodyReader } from './reader.js';

function readerFor(body: string, contentType: string | undefined, limit = 1024) {
  const headers = contentType === undefined ? {} : { 'content-type': contentType };
  return createBodyReader(Readable.from([Buffer.from(body)]), headers, () => limit);
}
const isStatus = (status: number, code: string) => (err: unknown) => err instanceof HttpError && err.status === status && err.code === code;

test('parses JSON sent as application/json or a +json type', async () => {
  assert.deepEqual(await readerFor('{"a":1}', 'application/json').json(), { a: 1 });
  assert.deepEqual(await readerFor('{"a":1}', 'Application/JSON; charset=UTF-8').json(), { a: 1 });
  assert.deepEqual(await readerFor('{"a":1}', 'application/merge-patch+json').json(), { a: 1 });
});

test('answers 415 when a JSON read meets another content type, or none', async () => {
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', undefined]) {
    await assert.rejects(readerFor('{"a":1}', type).json(), isStatus(415, 'UNSUPPORTED_MEDIA_TYPE'), String(type));
  }
});

test('answers 415 for a charset other than UTF-8', async () => {
  await assert.rejects(readerFor('{"a":1}', 'application/json; charset=utf-16').json(), isStatus(415, 'UNSUPPORTED_CHARSET'));
  await assert.rejects(readerFor('a=1', 'application/x-www-form-urlencoded; charset=iso-8859-1').form(), isStatus(415, 'UNSUPPORTED_CHARSET'));
  await assert.rejects(readerFor('x', 'text/plain; charset=latin1').text(), isStatus(415, 'UNSUPPORTED_CHARSET'));
  assert.equal(await readerFor('x', 'text/plain; charset=us-ascii').text(), 'x');
});

test('parses a urlencoded form and answers 415 for another type', async () => {
  assert.deepEqual({ ...(await readerFor('a=1&b=%EA%B9%80', 'application/x-www-form-urlencoded').form()) }, { a: '1', b: '김' });
  await assert.rejects(readerFor('a=1', 'multipart/form-data; boundary=x').form(), isStatus(415, 'UNSUPPORTED_MEDIA_TYPE'));
});

test('answers an empty JSON body with 400', async () => {
  await assert.rejects(readerFor('', 'application/json').json(), isStatus(400, 'EMPTY_BODY'));
});

test('reads the body once: text, buffer and json share the same bytes', async () => {
  const reader = readerFor('{"a":1}', 'application/json');
  assert.equal(await reader.text(), '{"a":1}');
  assert.equal((await reader.buffer()).length, 7);
  assert.deepEqual(await reader.json(), { a: 1 });
});

test('asks for the limit when it reads, so a route\'s own limit applies', async () => {
  let limit = 1024;
  const reader = createBodyReader(Readable.from([Buffer.alloc(20)]), {}, () => limit);
  limit = 10;
  await assert.rejects(reader.buffer(), isStatus(413, 'BODY_TOO_LARGE'));
});

test('answers 400 to text, JSON or a form whose bytes are not UTF-8, instead of turning them into U+FFFD', async () => {
  const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))));
  const reader = (body: Buffer, type: string) => createBodyReader(Readable.from([body]), { 'content-type': type }, () => 1024);
  await assert.rejects(reader(bytes('{"name":"kim', [0xff, 0xfe], '"}'), 'application/json').json(), isStatus(400, 'INVALID_UTF8'));
  await assert.rejects(reader(bytes('name=kim', [0xc3]), 'application/x-www-form-urlencoded').form(), isStatus(400, 'INVALID_UTF8'));
  // An overlong encoding of '/' and a lone surrogate encoded as UTF-8 are not UTF-8 either.
  await assert.rejects(reader(bytes([0xc0, 0xaf]), 'text/plain').text(), isStatus(400, 'INVALID_UTF8'));
  await assert.rejects(reader(bytes([0xed, 0xa0, 0x80]), 'text/plain').text(), isStatus(400, 'INVALID_UTF8'));
  assert.deepEqual(await reader(bytes('{"name":"김"}'), 'application/json').json(), { name: '김' });
});
