// Range requests against the static files of `maru serve --https --http2` as a process: several ranges,
// overlapping ones (no amplification), huge, negative and malformed ones, units it does not know, and If-Range
// with right and wrong validators; over HTTPS/1.1 and HTTP/2. Each case: the exact status, Content-Range and
// bytes — never a byte the file does not hold, never more than one copy of it.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PUBLIC_DIR } from '../app/harness.js';
import { assertCleanLogs, assertIntact, signUp, snapshot, type Member } from './checks.js';
import { startProcess, type Target } from './target.js';
import { h2, h2Session, http } from './wire.js';

const FILE = '/static/style.css';

describe('hostile ranges against maru serve', () => {
  let target: Target;
  let resident: Member;
  let file: Buffer;
  let etag: string;
  let lastModified: string;

  before(async () => {
    target = await startProcess({ https: true });
    resident = await signUp(target, 'resident');
    file = await readFile(join(PUBLIC_DIR, 'style.css'));
    const head = await http(target, FILE, { method: 'HEAD' });
    etag = String(head.headers.etag);
    lastModified = String(head.headers['last-modified']);
  });
  after(() => target.close());

  const size = () => file.length;
  /** [name, request headers, status, the bytes expected as [start, end] (inclusive), or 'whole', or 'none']. */
  const cases: [name: string, headers: () => Record<string, string>, status: number, bytes: () => [number, number] | 'whole' | 'none'][] = [
    ['two disjoint ranges (never a multipart body)', () => ({ range: 'bytes=0-9,20-29' }), 200, () => 'whole'],
    ['two overlapping ranges, coalesced', () => ({ range: 'bytes=0-99,50-149' }), 206, () => [0, 149]],
    ['the whole file asked four times over', () => ({ range: 'bytes=0-,0-,0-,0-' }), 206, () => [0, size() - 1]],
    ['sixteen copies of the whole file', () => ({ range: `bytes=${Array(16).fill(`0-${size() - 1}`).join(',')}` }), 206, () => [0, size() - 1]],
    ['seventeen ranges', () => ({ range: `bytes=${Array(17).fill('0-0').join(',')}` }), 200, () => 'whole'],
    ['an end past any file (20 digits)', () => ({ range: 'bytes=0-99999999999999999999' }), 206, () => [0, size() - 1]],
    ['a suffix longer than the file', () => ({ range: 'bytes=-99999' }), 206, () => [0, size() - 1]],
    ['the last 10 bytes', () => ({ range: 'bytes=-10' }), 206, () => [size() - 10, size() - 1]],
    ['negative positions', () => ({ range: 'bytes=-5--1' }), 200, () => 'whole'],
    ['an end before the start', () => ({ range: 'bytes=10-5' }), 200, () => 'whole'],
    ['a range that is not numbers', () => ({ range: 'bytes=abc' }), 200, () => 'whole'],
    ['a unit it does not know', () => ({ range: 'items=0-1' }), 200, () => 'whole'],
    ['the unit in capitals', () => ({ range: 'BYTES=0-1' }), 206, () => [0, 1]],
    ['a start past the end', () => ({ range: 'bytes=5000-' }), 416, () => 'none'],
    ['an empty suffix (bytes=-0)', () => ({ range: 'bytes=-0' }), 416, () => 'none'],
    ['If-Range with the current ETag', () => ({ range: 'bytes=0-9', 'if-range': etag }), 206, () => [0, 9]],
    ['If-Range with another ETag', () => ({ range: 'bytes=0-9', 'if-range': '"not-it"' }), 200, () => 'whole'],
    ['If-Range with the ETag made weak', () => ({ range: 'bytes=0-9', 'if-range': `W/${etag}` }), 200, () => 'whole'],
    ['If-Range with the Last-Modified date', () => ({ range: 'bytes=0-9', 'if-range': lastModified }), 206, () => [0, 9]],
    ['If-Range with an older date', () => ({ range: 'bytes=0-9', 'if-range': 'Thu, 01 Jan 1970 00:00:00 GMT' }), 200, () => 'whole'],
    ['If-Range that is neither', () => ({ range: 'bytes=0-9', 'if-range': 'yesterday' }), 200, () => 'whole'],
    ['a range of a compressed representation', () => ({ range: 'bytes=0-9', 'accept-encoding': 'gzip, br' }), 206, () => [0, 9]],
  ];

  for (const [name, headersOf, status, bytesOf] of cases) {
    test(`answers ${status} to ${name}`, async () => {
      const before = await snapshot(target, resident);
      const res = await http(target, FILE, { headers: headersOf() });
      assert.equal(res.status, status);
      checkBytes(res.status, res.headers, Buffer.from(res.body, 'utf8'), bytesOf());
      await assertIntact(target, resident, before);
    });
  }

  function checkBytes(status: number, headers: Record<string, unknown>, body: Buffer, expected: readonly [number, number] | 'whole' | 'none'): void {
    assert.equal(headers['content-encoding'], undefined, 'ranges and these tests use the identity bytes');
    if (expected === 'none') {
      assert.equal(headers['content-range'], `bytes */${file.length}`);
      assert.equal(body.length, 0);
      return;
    }
    if (expected === 'whole') {
      assert.equal(headers['content-range'], undefined);
      assert.deepEqual(body, file);
      return;
    }
    const [start, end] = expected;
    assert.equal(status, 206);
    assert.equal(headers['content-range'], `bytes ${start}-${end}/${file.length}`);
    assert.deepEqual(body, file.subarray(start, end + 1));
  }

  test('answers a range of a page (not a file) with the whole page', async () => {
    const res = await http(target, '/hello', { headers: { range: 'bytes=0-1' } });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'Hello Node!');
  });

  test('answers HEAD with a range with 206 and no body', async () => {
    const res = await http(target, FILE, { method: 'HEAD', headers: { range: 'bytes=0-9' } });
    assert.equal(res.status, 206);
    assert.equal(res.headers['content-range'], `bytes 0-9/${file.length}`);
    assert.equal(res.body, '');
  });

  for (const [range, status, bytes] of [
    ['bytes=0-9', 206, [0, 9]],
    ['bytes=0-9,20-29', 200, 'whole'],
    ['bytes=0-,0-,0-', 206, 'whole-range'],
    ['bytes=9999-', 416, 'none'],
  ] as const) {
    test(`answers ${range} over HTTP/2 with ${status}`, async () => {
      const before = await snapshot(target, resident);
      const session = await h2Session(target);
      try {
        const res = await h2(session, { ':path': FILE, range });
        assert.equal(res.status, status);
        checkBytes(status, res.headers, Buffer.from(res.body, 'utf8'), bytes === 'whole-range' ? [0, file.length - 1] : bytes);
      } finally {
        session.close();
      }
      await assertIntact(target, resident, before);
    });
  }

  test('logged no error and answered no request with a 5xx', () => {
    assertCleanLogs(target.logs());
  });
});
