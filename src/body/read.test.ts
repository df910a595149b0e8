import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { test } from 'node:test';
import { HttpError } from '../errors.js';
import { readBody } from './read.js';

const isStatus = (status: number, code: string) => (err: unknown) => err instanceof HttpError && err.status === status && err.code === code;

test('reads a body in chunks into one buffer', async () => {
  const bytes = await readBody(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), { limit: 4, contentLength: '4' });
  assert.equal(bytes.toString(), 'abcd');
});

test('refuses a Content-Length over the limit before reading a byte, with Connection: close', async () => {
  const stream = new PassThrough();
  stream.write('x');
  await assert.rejects(readBody(stream, { limit: 10, contentLength: '11' }), (err: unknown) => {
    assert.ok(isStatus(413, 'BODY_TOO_LARGE')(err));
    assert.deepEqual((err as HttpError).headers, { connection: 'close' });
    assert.equal((err as HttpError).message, 'request body is over 10 bytes');
    return true;
  });
  assert.equal(stream.readableLength, 1, 'nothing was read');
});

test('cuts a streamed body without Content-Length as soon as it passes the limit', async () => {
  const stream = new PassThrough();
  const reading = readBody(stream, { limit: 1024, contentLength: undefined });
  stream.write(Buffer.alloc(1000));
  stream.write(Buffer.alloc(100));
  await assert.rejects(reading, isStatus(413, 'BODY_TOO_LARGE'));
  assert.equal(stream.listenerCount('data'), 0, 'stopped listening');
});

test('cuts a body that sends more than its Content-Length promised', async () => {
  await assert.rejects(readBody(Readable.from([Buffer.alloc(20)]), { limit: 10, contentLength: '5' }), isStatus(413, 'BODY_TOO_LARGE'));
});

test('takes a body of exactly the limit', async () => {
  assert.equal((await readBody(Readable.from([Buffer.alloc(10)]), { limit: 10, contentLength: undefined })).length, 10);
});

test('names the limit in KiB or MiB when it is a whole number of them', async () => {
  await assert.rejects(readBody(Readable.from([]), { limit: 1024 * 1024, contentLength: String(2 ** 21) }), /over 1 MiB/);
  await assert.rejects(readBody(Readable.from([]), { limit: 64 * 1024, contentLength: String(2 ** 21) }), /over 64 KiB/);
});

test('answers an invalid Content-Length with 400', async () => {
  for (const value of ['-1', '1.5', 'abc', '1e3', '', '9'.repeat(16)]) {
    await assert.rejects(readBody(Readable.from([]), { limit: 10, contentLength: value }), isStatus(400, 'BAD_CONTENT_LENGTH'), value);
  }
});

test('gives an empty buffer for Content-Length 0 or an ended stream', async () => {
  assert.equal((await readBody(new PassThrough(), { limit: 10, contentLength: '0' })).length, 0);
  const ended = Readable.from([]);
  ended.resume();
  await new Promise((resolve) => ended.once('end', resolve));
  assert.equal((await readBody(ended, { limit: 10, contentLength: undefined })).length, 0);
});

test('answers a stream error or an early close with a 400', async () => {
  const failing = new PassThrough();
  const reading = readBody(failing, { limit: 10, contentLength: undefined });
  failing.destroy(new Error('socket hang up'));
  await assert.rejects(reading, (err: unknown) => err instanceof HttpError && err.status === 400);

  const closing = new PassThrough();
  const reading2 = readBody(closing, { limit: 10, contentLength: undefined });
  closing.write('a');
  closing.destroy();
  await assert.rejects(reading2, isStatus(400, 'BODY_ABORTED'));
});
