import assert from 'node:assert/strict';
import type { BigIntStats } from 'node:fs';
import { test } from 'node:test';
import { buildRepresentation, partialReply, preconditionFailedReply, unsatisfiableReply } from './representation.js';

const stat = { size: 5n, mtimeNs: 1_704_067_200_123_456_789n, mtimeMs: 1_704_067_200_123n } as BigIntStats;
const TAG = `"5-${(1_704_067_200_123_456_789n).toString(16)}"`;
const spec = { type: 'text/plain; charset=utf-8', stat, cacheControl: 'no-cache', vary: true, path: '/srv/a.txt' };

test('builds a 200 with every header prebuilt, and a 304 with the validators only', () => {
  const rep = buildRepresentation({ ...spec, encoding: 'identity', size: 5, bytes: Buffer.from('hello') });
  assert.deepEqual(rep.ok.headers, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': 5,
    etag: TAG,
    'last-modified': 'Mon, 01 Jan 2024 00:00:00 GMT',
    'cache-control': 'no-cache',
    vary: 'Accept-Encoding',
    'accept-ranges': 'bytes',
  });
  assert.deepEqual(rep.notModified, {
    status: 304,
    headers: { etag: TAG, 'last-modified': 'Mon, 01 Jan 2024 00:00:00 GMT', 'cache-control': 'no-cache', vary: 'Accept-Encoding' },
    body: null,
  });
  assert.ok(Object.isFrozen(rep.ok.headers));
});

test('gives each coding its own tag and Content-Encoding, and no Accept-Ranges', () => {
  const rep = buildRepresentation({ ...spec, encoding: 'br', size: 3, bytes: Buffer.from([1, 2, 3]) });
  assert.equal(rep.etag, `${TAG.slice(0, -1)}-br"`);
  assert.equal(rep.ok.headers['content-encoding'], 'br');
  assert.equal(rep.ok.headers['accept-ranges'], undefined);
});

test('slices a range of bytes in memory, and points into the file on disk', () => {
  const memory = buildRepresentation({ ...spec, encoding: 'identity', size: 5, bytes: Buffer.from('hello') });
  const part = partialReply(memory, 1, 3);
  assert.equal(part.status, 206);
  assert.equal(Buffer.from(part.body as Uint8Array).toString(), 'ell');
  assert.equal(part.headers['content-range'], 'bytes 1-3/5');
  assert.equal(part.headers['content-length'], 3);
  assert.equal(memory.ok.headers['content-length'], 5, 'the shared headers are untouched');
  const disk = buildRepresentation({ ...spec, encoding: 'identity', size: 5, bytes: undefined });
  assert.deepEqual(partialReply(disk, 2, 4).body, { kind: 'file', path: '/srv/a.txt', start: 2, end: 4 });
});

test('answers 416 with bytes */size and 412 with the current tag', () => {
  const rep = buildRepresentation({ ...spec, encoding: 'identity', size: 5, bytes: undefined });
  assert.deepEqual(unsatisfiableReply(rep).headers, { 'content-range': 'bytes */5', 'content-length': 0 });
  assert.equal(preconditionFailedReply(rep).status, 412);
});
