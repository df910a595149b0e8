// Request bodies against the member directory: malformed and deeply nested JSON, numbers no double holds, bytes
// that are not UTF-8, wrong, missing and lying Content-Type and Content-Length, chunked framing abuse and
// 100-continue. Each case: the exact status (and error code), nothing changed, nothing leaked, the next request
// served at once. The main table runs against `maru serve` as a process; the HTTPS and HTTP/2 cases against the
// same app in this process on a throwaway certificate.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertCleanLogs, assertIntact, assertNoLeak, sessionIdOf, signUp, snapshot, type Member } from './checks.js';
import { startApp, startProcess, type Target } from './target.js';
import { bodyOf, codeOf, exchange, h2, h2Session, open, statusOf } from './wire.js';

const KIB = 1024;

/** A request head; `Connection: close` so the server's close ends the exchange. */
function head(method: string, path: string, headers: readonly string[]): string {
  return `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;
}

/** A body sent with the given Content-Type and its true length. */
function send(path: string, body: string | Buffer, type: string | null = 'application/json', { method = 'POST', extra = [] as string[] } = {}): (string | Buffer)[] {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return [head(method, path, [...(type === null ? [] : [`Content-Type: ${type}`]), `Content-Length: ${bytes.length}`, ...extra]), bytes];
}

/** A chunked body of `bytes` bytes in chunks of `size`. */
function chunked(bytes: number, size = 16 * KIB): Buffer {
  const parts: Buffer[] = [];
  for (let left = bytes; left > 0; left -= size) {
    const n = Math.min(size, left);
    parts.push(Buffer.from(`${n.toString(16)}\r\n`), Buffer.alloc(n, 32), Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

const CHUNKED = ['Content-Type: application/json', 'Transfer-Encoding: chunked'];
const valid = (extra: Record<string, unknown> = {}) => JSON.stringify({ name: 'mallory', password: 'password-123', ...extra });

/** [what is sent, the bytes, status, the app's error code — undefined when Node refuses the request itself]. */
type Case = [name: string, bytes: (string | Buffer)[], status: number, code: string | undefined];

const cases: Case[] = [
  ['truncated JSON', send('/users', '{"name":"mallory",'), 400, 'MALFORMED_JSON'],
  ['JSON with a trailing comma', send('/users', '{"name":"mallory","password":"password-123",}'), 400, 'MALFORMED_JSON'],
  ['single-quoted JSON', send('/users', "{'name':'mallory','password':'password-123'}"), 400, 'MALFORMED_JSON'],
  ['JSON with NaN and a comment', send('/users', '{"name":NaN /* x */,"password":"password-123"}'), 400, 'MALFORMED_JSON'],
  ['JSON behind a byte-order mark', send('/users', `\uFEFF${valid()}`), 400, 'MALFORMED_JSON'],
  ['an empty JSON body', send('/users', ''), 400, 'EMPTY_BODY'],
  ['a JSON body of whitespace', send('/users', ' \r\n\t '), 400, 'EMPTY_BODY'],
  ['a JSON array', send('/users', '["mallory","password-123"]'), 400, 'BODY_NOT_OBJECT'],
  ['a JSON string', send('/users', '"mallory"'), 400, 'BODY_NOT_OBJECT'],
  ['JSON null', send('/login', 'null'), 400, 'BODY_NOT_OBJECT'],
  ['arrays nested 8000 deep', send('/users', `${'['.repeat(8000)}${']'.repeat(8000)}`), 400, 'BODY_NOT_OBJECT'],
  ['objects nested 2700 deep', send('/users', `${'{"a":'.repeat(2700)}1${'}'.repeat(2700)}`), 400, 'NAME_REQUIRED'],
  ['nesting 7000 deep under __proto__ (parsed with the key filter)', send('/users', `{"__proto__":${'['.repeat(7000)}${']'.repeat(7000)}}`), 400, 'MALFORMED_JSON'],
  ['__proto__ and constructor.prototype keys', send('/users', '{"__proto__":{"name":"admin"},"constructor":{"prototype":{"name":"admin"}},"password":"password-123"}'), 400, 'NAME_REQUIRED'],
  ['a name too big for a double (1e999)', send('/users', '{"name":1e999,"password":"password-123"}'), 400, 'INVALID_NAME'],
  ['a 40-digit number as the password', send('/users', `{"name":"mallory","password":${'9'.repeat(40)}}`), 400, 'INVALID_PASSWORD'],
  ['a name whose bytes are not UTF-8', send('/users', Buffer.concat([Buffer.from('{"name":"mallory'), Buffer.from([0xff, 0xfe]), Buffer.from('","password":"password-123"}')])), 400, 'INVALID_UTF8'],
  ['an overlong UTF-8 encoding in the password', send('/login', Buffer.concat([Buffer.from('{"name":"mallory","password":"pass'), Buffer.from([0xc0, 0xaf]), Buffer.from('word-123"}')])), 400, 'INVALID_UTF8'],
  ['a lone surrogate escaped in the name', send('/users', '{"name":"mallory\\ud800","password":"password-123"}'), 400, 'INVALID_NAME'],
  ['JSON sent as text/plain', send('/users', valid(), 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ['JSON without a Content-Type', send('/users', valid(), null), 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ['JSON declared as UTF-16', send('/users', valid(), 'application/json; charset=utf-16'), 415, 'UNSUPPORTED_CHARSET'],
  ['JSON sent as multipart/form-data', send('/users', valid(), 'multipart/form-data; boundary=x'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ['a Content-Type that only starts like JSON (application/jsonp)', send('/users', valid(), 'application/jsonp'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ['two Content-Types, text/plain first', send('/users', valid(), 'text/plain', { extra: ['Content-Type: application/json'] }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ['a NUL byte in the Content-Type', send('/users', valid(), 'application/json\u0000'), 400, undefined],
  // Node's parser refuses the head; the body behind it must not turn the 400 into a reset.
  ['a NUL byte in the Content-Type, with 256 KiB of body behind it', send('/users', Buffer.alloc(256 * KIB, 32), 'application/json\u0000'), 400, undefined],
  // The rest of the body is the next request, which Node refuses, usually before the app has answered the first.
  ['a Content-Length shorter than the body', [head('POST', '/users', ['Content-Type: application/json', 'Content-Length: 10']), valid()], 400, undefined],
  ['a Content-Length over the 16 KiB limit of the account routes', [head('POST', '/users', ['Content-Type: application/json', `Content-Length: ${16 * KIB + 1}`]), valid()], 413, 'BODY_TOO_LARGE'],
  ['a Content-Length of 20 digits', [head('POST', '/users', ['Content-Type: application/json', `Content-Length: ${'9'.repeat(20)}`])], 400, undefined],
  ['a Content-Length with a plus sign', [head('POST', '/users', ['Content-Type: application/json', 'Content-Length: +2']), '{}'], 400, undefined],
  ['a hexadecimal Content-Length', [head('POST', '/users', ['Content-Type: application/json', 'Content-Length: 0x2']), '{}'], 400, undefined],
  ['two equal Content-Lengths', [head('POST', '/users', ['Content-Type: application/json', 'Content-Length: 2', 'Content-Length: 2']), '{}'], 400, undefined],
  ['a chunk size that overflows', [head('POST', '/users', CHUNKED), 'fffffffffffffffffff\r\n{}\r\n0\r\n\r\n'], 400, undefined],
  ['a negative chunk size', [head('POST', '/users', CHUNKED), '-2\r\n{}\r\n0\r\n\r\n'], 400, undefined],
  ['a chunk extension of 20 KB', [head('POST', '/users', CHUNKED), `2;${'x'.repeat(20_000)}\r\n{}\r\n0\r\n\r\n`], 413, undefined],
  ['chunks framed with bare LF', [head('POST', '/users', CHUNKED), '2\n{}\n0\n\n'], 400, undefined],
  ['a chunk that overruns its size', [head('POST', '/users', CHUNKED), '2\r\n{}XX0\r\n\r\n'], 400, undefined],
  ['a trailer of 20 KB', [head('POST', '/users', CHUNKED), `2\r\n{}\r\n0\r\nX-Trailer: ${'y'.repeat(20_000)}\r\n\r\n`], 431, undefined],
  ['twenty thousand one-byte chunks', [head('POST', '/users', CHUNKED), `${'1\r\n \r\n'.repeat(20_000)}0\r\n\r\n`], 413, 'BODY_TOO_LARGE'],
  ['a chunked body of 1.1 MiB', [head('POST', '/users', CHUNKED), chunked(1.1 * 1024 * KIB)], 413, 'BODY_TOO_LARGE'],
  ['a body of 1.1 MiB with its Content-Length', send('/users', Buffer.alloc(1.1 * 1024 * KIB, 32)), 413, 'BODY_TOO_LARGE'],
  ['Expect: 100-continue with a body over the limit', [head('POST', '/users', ['Content-Type: application/json', `Content-Length: ${64 * KIB}`, 'Expect: 100-continue'])], 413, 'BODY_TOO_LARGE'],
  ['an Expect the server does not know', send('/users', valid(), 'application/json', { extra: ['Expect: 200-ok'] }), 417, undefined],
  ['a body on GET', send('/hello', valid(), 'application/json', { method: 'GET' }), 200, undefined],
  ['a form post of JSON text', send('/users', valid(), 'application/x-www-form-urlencoded'), 400, undefined],
];

describe('hostile bodies against maru serve', () => {
  let target: Target;
  let resident: Member;

  before(async () => {
    target = await startProcess();
    resident = await signUp(target, 'resident');
  });
  after(() => target.close());

  for (const [name, bytes, status, code] of cases) {
    test(`answers ${status}${code === undefined ? '' : ` ${code}`} to ${name}, changes nothing and keeps serving`, async () => {
      const before = await snapshot(target, resident);
      // A refused upload is read away until the client is done (lingering close): this client says so at once. Only
      // then: Node drops a request still being answered when its client half-closes.
      const res = await exchange(target, bytes, { end: status === 413 });
      assert.equal(statusOf(res.text), status, res.text.slice(0, 400));
      assert.equal(res.error, undefined, 'a reply, not a reset');
      if (code !== undefined) assert.equal(codeOf(bodyOf(res.text)), code, bodyOf(res.text));
      assert.doesNotMatch(res.text, /100 Continue/, 'no body was invited');
      assertNoLeak(res.text, [sessionIdOf(resident)]);
      await assertIntact(target, resident, before);
    });
  }

  test('answers malformed JSON to the resident\'s own PATCH with 400 and leaves the account as it was', async () => {
    const before = await snapshot(target, resident);
    const res = await exchange(target, send(`/users/${resident.id}`, '{"name":"x",', 'application/json', { method: 'PATCH', extra: [`Cookie: ${resident.cookie}`] }));
    assert.equal(statusOf(res.text), 400);
    assert.equal(codeOf(bodyOf(res.text)), 'MALFORMED_JSON');
    await assertIntact(target, resident, before);
  });

  test('invites a body the route accepts with 100 Continue, then answers it', async () => {
    const before = await snapshot(target, resident);
    const body = '{"name":"","password":"password-123"}';
    const socket = open(target);
    const text = await new Promise<string>((resolve) => {
      let seen = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        seen += chunk;
        if (seen === 'HTTP/1.1 100 Continue\r\n\r\n') socket.write(body);
      });
      socket.on('close', () => resolve(seen));
      socket.on('error', () => resolve(seen));
      socket.write(head('POST', '/users', ['Content-Type: application/json', `Content-Length: ${body.length}`, 'Expect: 100-continue']));
    });
    assert.match(text, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 400 /);
    assert.equal(codeOf(text.slice(text.lastIndexOf('\r\n\r\n') + 4)), 'NAME_REQUIRED');
    await assertIntact(target, resident, before);
  });

  test('logged no error and answered no request with a 5xx', () => {
    assertCleanLogs(target.logs(), { passwords: ['password-123', resident.password] });
  });
});

describe('hostile bodies over HTTPS and HTTP/2', () => {
  let target: Target;
  let resident: Member;

  before(async () => {
    target = await startApp({ tls: true });
    resident = await signUp(target, 'resident');
  });
  after(() => target.close());

  for (const [name, bytes] of [
    ['a chunked body of 1.1 MiB', [head('POST', '/users', CHUNKED), chunked(1.1 * 1024 * KIB)]],
    ['a body of 1.1 MiB with its Content-Length', send('/users', Buffer.alloc(1.1 * 1024 * KIB, 32))],
  ] as const) {
    test(`answers 413 to ${name} over HTTPS, readable rather than a reset`, async () => {
      const before = await snapshot(target, resident);
      const res = await exchange(target, [...bytes], { end: true });
      assert.equal(statusOf(res.text), 413, res.text.slice(0, 300));
      assert.equal(codeOf(bodyOf(res.text)), 'BODY_TOO_LARGE');
      assert.equal(res.error, undefined, 'no reset');
      await assertIntact(target, resident, before);
    });
  }

  test('answers 413 to a body over the limit on one HTTP/2 stream; the next stream of the session is served', async () => {
    const before = await snapshot(target, resident);
    const session = await h2Session(target);
    try {
      const res = await h2(session, { ':method': 'POST', ':path': '/users', 'content-type': 'application/json' }, Buffer.alloc(20 * KIB, 32));
      assert.equal(res.status, 413);
      assert.equal(codeOf(res.body), 'BODY_TOO_LARGE');
      assertNoLeak(res.body);
      assert.equal((await h2(session, { ':path': '/hello' })).body, 'Hello Node!');
    } finally {
      session.close();
    }
    await assertIntact(target, resident, before);
  });

  test('answers 413 to an oversized HTTP/2 upload that expects 100-continue, without inviting it', async () => {
    const before = await snapshot(target, resident);
    const session = await h2Session(target);
    try {
      const invited: boolean[] = [];
      const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const stream = session.request({ ':method': 'POST', ':path': '/users', 'content-type': 'application/json', 'content-length': String(64 * KIB), expect: '100-continue' }, { endStream: false });
        let status = 0;
        let body = '';
        stream.on('continue', () => invited.push(true));
        stream.on('response', (h) => (status = Number(h[':status'])));
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => (body += chunk));
        stream.on('end', () => resolve({ status, body }));
        stream.on('error', reject);
      });
      assert.equal(result.status, 413);
      assert.equal(codeOf(result.body), 'BODY_TOO_LARGE');
      assert.deepEqual(invited, [], 'no 100 was sent');
    } finally {
      session.close();
    }
    await assertIntact(target, resident, before);
  });

  test('answers malformed JSON over HTTP/2 with 400', async () => {
    const before = await snapshot(target, resident);
    const session = await h2Session(target);
    try {
      const res = await h2(session, { ':method': 'POST', ':path': '/users', 'content-type': 'application/json' }, '{"name":"mallory",');
      assert.equal(res.status, 400);
      assert.equal(codeOf(res.body), 'MALFORMED_JSON');
    } finally {
      session.close();
    }
    await assertIntact(target, resident, before);
  });

  test('resets an HTTP/2 stream whose body is shorter than its content-length (PROTOCOL_ERROR); the session goes on', async () => {
    const before = await snapshot(target, resident);
    const session = await h2Session(target);
    try {
      const res = await h2(session, { ':method': 'POST', ':path': '/users', 'content-type': 'application/json', 'content-length': '100' }, valid());
      assert.equal(res.status, undefined, 'no answer on that stream');
      assert.equal(res.rstCode, 1);
      assert.equal((await h2(session, { ':path': '/hello' })).body, 'Hello Node!');
    } finally {
      session.close();
    }
    await assertIntact(target, resident, before);
  });

  test('logged no error and answered no request with a 5xx', () => {
    assertCleanLogs(target.logs(), { passwords: ['password-123', resident.password] });
  });
});
