// Request heads against `maru serve` as a process, over raw TCP: Host abuse, duplicated and folded headers,
// oversized heads, request smuggling shapes (Content-Length with Transfer-Encoding, Transfer-Encoding variants, a
// request hidden in a body), forwarded headers from a peer nobody trusts, and methods (unknown, TRACE, CONNECT,
// lower-case, overrides). Each case: the exact status (or the exact close), nothing changed, nothing leaked, the
// next request served at once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertCleanLogs, assertIntact, assertNoLeak, sessionIdOf, signUp, snapshot, type Member } from './checks.js';
import { startProcess, type Target } from './target.js';
import { bodyOf, codeOf, exchange, statusOf } from './wire.js';

const END = 'Connection: close\r\n\r\n';
const get = (extra = '', target = '/hello', method = 'GET') => `${method} ${target} HTTP/1.1\r\nHost: localhost\r\n${extra}${END}`;
const post = (headers: string, body: string) => `POST /users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${headers}${END}${body}`;
const hidden = 'GET /me HTTP/1.1\r\nHost: localhost\r\n\r\n';

/** [what is sent, the bytes, status (0: closed without a reply), code, how many replies come back]. */
type Case = [name: string, bytes: string, status: number, code: string | undefined, replies?: number];

const headerCases: Case[] = [
  ['two Host lines', 'GET /hello HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\nConnection: close\r\n\r\n', 400, 'BAD_HOST'],
  ['two Host lines that agree, in different case', 'GET /hello HTTP/1.1\r\nHost: localhost\r\nhost: localhost\r\nConnection: close\r\n\r\n', 400, 'BAD_HOST'],
  ['a Host with a path', 'GET /hello HTTP/1.1\r\nHost: evil.example/x?y\r\nConnection: close\r\n\r\n', 400, 'BAD_HOST'],
  ['a Host with a space', 'GET /hello HTTP/1.1\r\nHost: local host\r\nConnection: close\r\n\r\n', 400, 'BAD_HOST'],
  ['a Host with user info', 'GET /hello HTTP/1.1\r\nHost: user@evil.example\r\nConnection: close\r\n\r\n', 400, 'BAD_HOST'],
  ['a Host with a port that is not a number', 'GET /hello HTTP/1.1\r\nHost: localhost:80x\r\nConnection: close\r\n\r\n', 400, 'BAD_HOST'],
  ['no Host at all', 'GET /hello HTTP/1.1\r\nConnection: close\r\n\r\n', 400, undefined],
  ['an empty Host', 'GET /hello HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n', 200, undefined],
  ['an absolute-form target naming another host', get('', 'http://evil.example/hello'), 404, 'NOT_FOUND'],
  ['a folded header line (obs-fold)', get('X-A: a\r\n b\r\n'), 400, undefined],
  ['whitespace before the first header line', 'GET /hello HTTP/1.1\r\n Host: localhost\r\nConnection: close\r\n\r\n', 400, undefined],
  ['a space between a header name and its colon', get('X-A : 1\r\n'), 400, undefined],
  ['a header with no name', get(': empty\r\n'), 400, undefined],
  ['a NUL byte in a header value', get('X-A: a\u0000b\r\n'), 400, undefined],
  ['a bare CR in a header value', get('X-A: a\rb\r\n'), 400, undefined],
  ['a non-ASCII byte in a header name', get('X-A\u0080: 1\r\n'), 400, undefined],
  ['a header of 20 KB', get(`X-Big: ${'a'.repeat(20_000)}\r\n`), 431, undefined],
  ['two hundred headers of 100 bytes', get(`X-Pad: ${'p'.repeat(93)}\r\n`.repeat(200)), 431, undefined],
  ['three thousand tiny headers (Node keeps the first 2000)', get('a:b\r\n'.repeat(3000)), 200, undefined],
  ['a request line ending in a space', 'GET /hello HTTP/1.1 \r\nHost: localhost\r\nConnection: close\r\n\r\n', 400, undefined],
  // RFC 9112 §3 lets a server split the request line on any whitespace, and Node answers HTTP/0.9 as 1.1, then closes.
  ['a request line with two spaces', 'GET  /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n', 200, undefined],
  ['an HTTP/0.9 request line', 'GET /hello\r\n\r\n', 200, undefined],
  ['HTTP/1.2', 'GET /hello HTTP/1.2\r\nHost: localhost\r\nConnection: close\r\n\r\n', 400, undefined],
  ['Content-Length and Transfer-Encoding together', `POST /users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nZ\r\n0\r\n\r\n${hidden}`, 400, undefined, 1],
  ['Transfer-Encoding: chunked, identity', post('Transfer-Encoding: chunked, identity\r\n', '2\r\n{}\r\n0\r\n\r\n'), 400, undefined],
  ['Transfer-Encoding: xchunked', post('Transfer-Encoding: xchunked\r\n', '2\r\n{}\r\n0\r\n\r\n'), 400, undefined],
  ['Transfer-Encoding given twice', post('Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n', '2\r\n{}\r\n0\r\n\r\n'), 400, undefined],
  ['a space before the colon of Transfer-Encoding', post('Transfer-Encoding : chunked\r\n', '2\r\n{}\r\n0\r\n\r\n'), 400, undefined],
  ['a vertical tab before chunked', post('Transfer-Encoding: \u000bchunked\r\n', '2\r\n{}\r\n0\r\n\r\n'), 400, undefined],
  ['a request hidden in a chunked body', post('Transfer-Encoding: chunked\r\n', `${hidden.length.toString(16)}\r\n${hidden}\r\n0\r\n\r\n`), 400, 'MALFORMED_JSON', 1],
  ['a request hidden in a body that Content-Length covers', post(`Content-Length: ${hidden.length}\r\n`, hidden), 400, 'MALFORMED_JSON', 1],
];

const methodCases: Case[] = [
  ['an unknown method', get('', '/hello', 'FOO'), 400, undefined],
  ['a lower-case method', get('', '/hello', 'get'), 400, undefined],
  ['a method name of 1000 letters', get('', '/hello', 'A'.repeat(1000)), 400, undefined],
  ['TRACE /', get('Cookie: sid=trace-me\r\n', '/', 'TRACE'), 405, 'METHOD_NOT_ALLOWED'],
  ['TRACE /users', get('', '/users', 'TRACE'), 405, 'METHOD_NOT_ALLOWED'],
  ['PROPFIND /', get('', '/', 'PROPFIND'), 405, 'METHOD_NOT_ALLOWED'],
  ['DELETE on the member list', get('', '/users', 'DELETE'), 405, 'METHOD_NOT_ALLOWED'],
  ['PATCH /login', get('', '/login', 'PATCH'), 405, 'METHOD_NOT_ALLOWED'],
  ['PUT /me', get('', '/me', 'PUT'), 405, 'METHOD_NOT_ALLOWED'],
  ['OPTIONS *', get('', '*', 'OPTIONS'), 404, 'NOT_FOUND'],
  ['CONNECT to another port', 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n', 0, undefined],
];

const ALLOW: Record<string, string> = {
  'TRACE /': 'GET, HEAD, OPTIONS',
  'TRACE /users': 'GET, HEAD, OPTIONS, POST',
  'PROPFIND /': 'GET, HEAD, OPTIONS',
  'DELETE on the member list': 'GET, HEAD, OPTIONS, POST',
  'PATCH /login': 'OPTIONS, POST',
  'PUT /me': 'GET, HEAD, OPTIONS',
};

describe('hostile heads and methods against maru serve', () => {
  let target: Target;
  let resident: Member;

  before(async () => {
    target = await startProcess();
    resident = await signUp(target, 'resident');
  });
  after(() => target.close());

  for (const [name, bytes, status, code, replies] of [...headerCases, ...methodCases]) {
    const outcome = status === 0 ? 'closes without a reply' : `answers ${status}${code === undefined ? '' : ` ${code}`}`;
    test(`${outcome} to ${name}, changes nothing and keeps serving`, async () => {
      const before = await snapshot(target, resident);
      const res = await exchange(target, bytes);
      assert.equal(res.closed, true, 'the connection ends');
      if (status === 0) assert.equal(res.text, '');
      else assert.equal(statusOf(res.text), status, res.text.slice(0, 300));
      if (code !== undefined) assert.equal(codeOf(bodyOf(res.text).split('HTTP/1.1 ')[0]!), code);
      if (ALLOW[name] !== undefined) assert.match(res.text, new RegExp(`\r\nallow: ${ALLOW[name]}\r\n`, 'i'));
      if (replies !== undefined) assert.equal(res.text.match(/^HTTP\/1\.1 \d{3} /gm)?.length, replies, 'no smuggled request was answered');
      assert.doesNotMatch(res.text, /trace-me/, 'nothing of the request is echoed');
      assertNoLeak(res.text, [sessionIdOf(resident)]);
      await assertIntact(target, resident, before);
    });
  }

  test('answers a POST overridden to DELETE (X-HTTP-Method-Override) with 405, and the member stays', async () => {
    const before = await snapshot(target, resident);
    const res = await exchange(target, `POST /users/${resident.id} HTTP/1.1\r\nHost: localhost\r\nCookie: ${resident.cookie}\r\nX-HTTP-Method-Override: DELETE\r\nX-Method-Override: DELETE\r\nContent-Length: 0\r\n${END}`);
    assert.equal(statusOf(res.text), 405);
    assert.match(res.text, /\r\nallow: DELETE, GET, HEAD, OPTIONS, PATCH, PUT\r\n/i);
    await assertIntact(target, resident, before);
  });

  test('believes no X-Forwarded-For from a peer it does not trust: the log names the peer', async () => {
    const before = await snapshot(target, resident);
    const res = await exchange(target, get('X-Forwarded-For: 203.0.113.9\r\nForwarded: for=198.51.100.7\r\nX-Request-Id: forged-for\r\n'));
    assert.equal(statusOf(res.text), 200);
    const line = await logLine(target, (l) => l.msg === 'request' && l.reqId === 'forged-for');
    assert.equal(line.ip, '127.0.0.1');
    await assertIntact(target, resident, before);
  });

  test('believes no X-Forwarded-Proto from a peer it does not trust: a cookie set over plain HTTP is not Secure', async () => {
    const before = await snapshot(target, resident);
    const res = await exchange(target, get('X-Forwarded-Proto: https\r\nForwarded: proto=https\r\n', '/lang/en'));
    assert.equal(statusOf(res.text), 303);
    assert.match(res.text, /\r\nset-cookie: lang=en;[^\r]*\r\n/i);
    assert.doesNotMatch(/\r\nset-cookie: ([^\r]*)/i.exec(res.text)![1]!, /secure/i);
    await assertIntact(target, resident, before);
  });

  for (const [name, forwarded] of [
    ['X-Forwarded-Host', 'X-Forwarded-Host: evil.example\r\nX-Forwarded-Proto: https\r\n'],
    ['Forwarded host=', 'Forwarded: for=198.51.100.7;proto=https;host=evil.example\r\n'],
  ] as const) {
    test(`answers 403 to a cross-site logout that forges ${name} to match its Origin, and the session lives`, async () => {
      const before = await snapshot(target, resident);
      const res = await exchange(target, `POST /logout HTTP/1.1\r\nHost: localhost\r\nOrigin: https://evil.example\r\nCookie: ${resident.cookie}\r\n${forwarded}Content-Length: 0\r\n${END}`);
      assert.equal(statusOf(res.text), 403);
      assert.equal(codeOf(bodyOf(res.text)), 'CROSS_SITE_REQUEST');
      await assertIntact(target, resident, before);
    });
  }

  test('logged no error and answered no request with a 5xx', () => {
    assertCleanLogs(target.logs());
  });
});

/** The first log line of the process that matches, once it is written (the process buffers its log briefly). */
async function logLine(target: Target, match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 25))) {
    const line = target.logs().find(match);
    if (line !== undefined) return line;
  }
  assert.fail('the line was not logged within 10 s');
}
