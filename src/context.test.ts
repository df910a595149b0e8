import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { memoryLogger } from '../test/logger.js';
import { Context, stateKey, type RequestInfo } from './context.js';

function contextFor(target: string, headers: RequestInfo['headers'] = {}): Context {
  return new Context(
    { method: 'GET', target, headers, body: Readable.from([]), remoteAddress: '127.0.0.1', secure: false, httpVersion: '1.1' },
    { log: memoryLogger().log, bodyLimit: 1024, timed: true },
  );
}

test('splits the target into a raw path and a parsed query', () => {
  const ctx = contextFor('/a%20b/c?x=1&y=%EA%B9%80&x=2&flag');
  assert.equal(ctx.path, '/a%20b/c');
  assert.deepEqual(ctx.query.getAll('x'), ['1', '2']);
  assert.equal(ctx.query.get('y'), '김');
  assert.equal(ctx.query.get('flag'), '');
  assert.equal(contextFor('/plain').query.size, 0);
});

test('parses cookies on first use only, first of duplicate names winning', () => {
  const headers: RequestInfo['headers'] = { cookie: 'a=1; b=%20x; a=2' };
  const ctx = contextFor('/', headers);
  headers.cookie = 'changed=1';
  assert.deepEqual({ ...ctx.cookies }, { changed: '1' }, 'not parsed before first use');
  assert.equal(ctx.cookies, ctx.cookies, 'parsed once');
  const other = contextFor('/', { cookie: 'a=1; b=%20x; a=2; bad=%zz' });
  assert.deepEqual({ ...other.cookies }, { a: '1', b: ' x', bad: '%zz' });
});

test('keeps a plain incoming X-Request-Id and replaces anything else', () => {
  assert.equal(contextFor('/', { 'x-request-id': 'edge-42.a:b_c' }).id, 'edge-42.a:b_c');
  for (const bad of ['has space', 'new\nline', 'x'.repeat(129), '', '<script>', 'ü']) {
    const id = contextFor('/', { 'x-request-id': bad }).id;
    assert.notEqual(id, bad);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-z]+$/);
  }
  const ctx = contextFor('/');
  assert.equal(ctx.id, ctx.id, 'stable within a request');
  assert.notEqual(contextFor('/').id, contextFor('/').id);
});

test('encodes CR, LF, spaces and non-ASCII in a redirect location so the header cannot be split', () => {
  const ctx = contextFor('/');
  const reply = ctx.redirect('/next?to=a b\r\nSet-Cookie: evil=1&n=김');
  assert.equal(reply.status, 302);
  assert.equal(reply.headers.location, '/next?to=a%20b%0D%0ASet-Cookie:%20evil=1&n=%EA%B9%80');
  assert.equal(reply.headers['content-length'], 0);
  assert.equal(reply.body, null);
});

test('keeps existing escapes in a redirect location and encodes a lone percent sign', () => {
  const ctx = contextFor('/');
  assert.equal(ctx.redirect('/a%20b?q=100%', 303).headers.location, '/a%20b?q=100%25');
  assert.equal(ctx.redirect('https://example.com/x#frag', 301).headers.location, 'https://example.com/x#frag');
  assert.equal(ctx.redirect('/\uD800', 307).headers.location, '/%EF%BF%BD');
});

test('rejects a bad header name or value at set time', () => {
  const ctx = contextFor('/');
  assert.throws(() => ctx.header('x-a', 'ok\r\nSet-Cookie: evil=1'), { code: 'ERR_INVALID_CHAR' });
  assert.throws(() => ctx.header('bad name', 'v'), { code: 'ERR_INVALID_HTTP_TOKEN' });
  assert.throws(() => ctx.appendHeader('vary', 'a\nb'), { code: 'ERR_INVALID_CHAR' });
  assert.throws(() => ctx.appendHeader('x:y', 'v'), { code: 'ERR_INVALID_HTTP_TOKEN' });
  assert.equal(ctx.responseHeaders, undefined, 'nothing was kept');
});

test('sets headers under lower-case names and appends list values', () => {
  const ctx = contextFor('/');
  ctx.header('Cache-Control', 'no-store').appendHeader('Vary', 'Accept').appendHeader('vary', 'Cookie');
  ctx.setCookie('a', '1').setCookie('b', 'x y', { httpOnly: true });
  assert.deepEqual(ctx.responseHeaders, {
    'cache-control': 'no-store',
    vary: 'Accept, Cookie',
    'set-cookie': ['a=1', 'b=x%20y; HttpOnly'],
  });
});

test('clears a cookie with Max-Age=0 and an expiry in the past', () => {
  const ctx = contextFor('/');
  ctx.clearCookie('sid', { path: '/' });
  const [cookie] = ctx.responseHeaders!['set-cookie'] as string[];
  assert.match(cookie!, /^sid=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT$/);
});

test('builds text, html and json replies with charset=utf-8 and the exact byte length', () => {
  const ctx = contextFor('/');
  const text = ctx.text('안녕 Node! ✓');
  assert.deepEqual(text, { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': 16 }, body: '안녕 Node! ✓' });
  const html = ctx.html('<p>é</p>', 201);
  assert.deepEqual(html.headers, { 'content-type': 'text/html; charset=utf-8', 'content-length': 9 });
  assert.equal(html.status, 201);
  const json = ctx.json({ name: '김' });
  assert.equal(json.body, '{"name":"김"}');
  assert.deepEqual(json.headers, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength('{"name":"김"}') });
  assert.equal(ctx.json(undefined).body, 'null');
});

test('builds send, stream and empty replies', () => {
  const ctx = contextFor('/');
  assert.deepEqual(ctx.send(new Uint8Array([1, 2, 3]), 'application/octet-stream').headers, { 'content-type': 'application/octet-stream', 'content-length': 3 });
  assert.equal(ctx.send('é', 'text/csv; charset=utf-8').headers['content-length'], 2);
  const body = Readable.from(['a']);
  assert.deepEqual(ctx.stream(body, { type: 'text/plain', length: 1, status: 206 }), { status: 206, headers: { 'content-type': 'text/plain', 'content-length': 1 }, body });
  assert.deepEqual(ctx.stream(body).headers, { 'content-type': 'application/octet-stream' });
  assert.deepEqual(ctx.empty(), { status: 204, headers: {}, body: null });
  assert.deepEqual(ctx.empty(202), { status: 202, headers: { 'content-length': 0 }, body: null });
});

test('keeps per-request state under typed keys, each key its own slot', () => {
  const ctx = contextFor('/');
  const user = stateKey<{ id: string }>('user');
  const other = stateKey<{ id: string }>('user');
  assert.equal(ctx.get(user), undefined);
  assert.equal(ctx.set(user, { id: '7' }), ctx);
  assert.deepEqual(ctx.get(user), { id: '7' });
  assert.equal(ctx.get(other), undefined, 'keys are compared by identity, not by their description');
  assert.equal(contextFor('/').get(user), undefined, 'state belongs to one request');
});

test('tells the origin from the Host header and the transport', () => {
  assert.equal(contextFor('/', { host: 'example.com:8080' }).origin, 'http://example.com:8080');
  assert.equal(contextFor('/').origin, undefined);
});

test('tags its log lines with the request id', () => {
  const logger = memoryLogger();
  const ctx = new Context(
    { method: 'GET', target: '/', headers: { 'x-request-id': 'r-1' }, body: Readable.from([]), remoteAddress: undefined, secure: false, httpVersion: '1.1' },
    { log: logger.log, bodyLimit: 1, timed: true },
  );
  ctx.log.info('hello');
  assert.equal(logger.lines()[0]!.reqId, 'r-1');
});

test('reads the clock for a request only when the app times requests', () => {
  const request: RequestInfo = { method: 'GET', target: '/', headers: {}, body: Readable.from([]), remoteAddress: undefined, secure: false, httpVersion: '1.1' };
  const before = performance.now();
  const timed = new Context(request, { log: memoryLogger().log, bodyLimit: 1, timed: true });
  assert.ok(timed.startTime >= before && timed.startTime <= performance.now());
  assert.equal(new Context(request, { log: memoryLogger().log, bodyLimit: 1, timed: false }).startTime, 0);
});
