import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createApp, inject } from '../../src/index.js';
import { memoryLogger } from '../logger.js';
import { serve, type TestServer } from '../server.js';
import { raw, request, statusOf } from './client.js';

describe('HTTP/1.1 adapter', () => {
  const logger = memoryLogger();
  const app = createApp({ log: logger.log });
  let server: TestServer;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'maru-h1-'));
    await writeFile(join(dir, 'f.txt'), '0123456789');
    app.get('/hello', (ctx) => ctx.text('Hello Node!'));
    app.get('/multi', (ctx) => ctx.text('안녕 ✓'));
    app.get('/merge', (ctx) => {
      ctx.header('cache-control', 'no-store');
      ctx.setCookie('a', '1');
      const reply = ctx.text('x');
      return { ...reply, headers: { ...reply.headers, 'cache-control': 'public', 'set-cookie': 'b=2' } };
    });
    app.get('/stream', (ctx) => ctx.stream(Readable.from(['a', 'b', 'c']), { type: 'text/plain' }));
    app.get('/file', (ctx) => ({ status: 206, headers: { 'content-type': 'text/plain', 'content-length': 4 }, body: { kind: 'file', path: join(dir, 'f.txt'), start: 2, end: 5 } }));
    app.get('/bad-header', (ctx) => ({ status: 200, headers: { 'x-bad': 'a\r\nb' }, body: 'x' }));
    app.get('/bad-status', (ctx) => ctx.text('x', 1000));
    app.get('/bad-range', () => ({ status: 206, headers: {}, body: { kind: 'file', path: join(dir, 'f.txt'), start: 8, end: 3 } }));
    app.get('/bad-range-async', async () => ({ status: 206, headers: {}, body: { kind: 'file', path: join(dir, 'f.txt'), start: -1, end: 3 } }));
    app.get('/slow', async (ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return ctx.text('late');
    });
    server = await serve(app);
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('writes a text reply with its exact byte length', async () => {
    const res = await request(`${server.url}/multi`);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(res.headers['content-length'], String(Buffer.byteLength('안녕 ✓')));
    assert.equal(res.body, '안녕 ✓');
  });

  test('answers HEAD with the GET headers and no body', async () => {
    const res = await raw(server.port, 'HEAD /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(statusOf(res.text), 200);
    assert.match(res.text, /content-length: 11\r\n/i);
    assert.ok(res.text.endsWith('\r\n\r\n'), 'no body after the head');
  });

  test('lays the Context\'s headers over the reply\'s own like inject does, appending Set-Cookie', async () => {
    const socket = await request(`${server.url}/merge`);
    const injected = await inject(app, { url: '/merge' });
    assert.equal(socket.headers['cache-control'], 'no-store');
    assert.deepEqual(socket.headers['set-cookie'], ['b=2', 'a=1']);
    assert.equal(socket.headers['cache-control'], injected.headers['cache-control']);
    assert.deepEqual(socket.headers['set-cookie'], injected.headers['set-cookie']);
  });

  test('streams a Readable body', async () => {
    const res = await request(`${server.url}/stream`);
    assert.equal(res.body, 'abc');
    assert.equal(res.headers['transfer-encoding'], 'chunked');
  });

  test('streams a byte range of a file', async () => {
    const res = await request(`${server.url}/file`);
    assert.equal(res.status, 206);
    assert.equal(res.body, '2345');
  });

  test('answers 500 with a JSON body, and stays up, when a reply carries a header, status or file range Node refuses', async () => {
    for (const path of ['/bad-header', '/bad-status', '/bad-range', '/bad-range-async']) {
      const res = await request(`${server.url}${path}`);
      assert.equal(res.status, 500, path);
      assert.equal(res.headers['x-bad'], undefined);
      assert.equal((JSON.parse(res.body) as { error: { code: string } }).error.code, 'INTERNAL');
    }
  });

  test('keeps the connection alive between requests', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await request(`${server.url}/hello`, { agent });
      const second = await request(`${server.url}/hello`, { agent });
      assert.equal(first.headers.connection, 'keep-alive');
      assert.equal(first.localPort, second.localPort, 'same socket');
    } finally {
      agent.destroy();
    }
  });

  test('serves several pipelined requests on one connection in order', async () => {
    const res = await raw(server.port, 'GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.deepEqual([...res.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]), ['200', '404', '200']);
  });

  test('writes exactly one access line per request, whatever its outcome', async () => {
    const sent: [method: string, path: string, status: number][] = [
      ['GET', '/hello', 200],
      ['HEAD', '/hello', 200],
      ['GET', '/nope', 404],
      ['DELETE', '/hello', 405],
      ['OPTIONS', '/hello', 204],
      ['GET', '/bad-header', 500],
    ];
    for (const [i, [method, path]] of sent.entries()) {
      await request(`${server.url}${path}?secret=${i}`, { method, headers: { 'x-request-id': `one-line-${i}` } });
    }
    const lines = logger.lines().filter((line) => String(line.reqId).startsWith('one-line-') && line.msg === 'request');
    assert.deepEqual(
      lines.map((line) => [line.method, line.path, line.status]),
      sent,
    );
    assert.ok(lines.every((line) => typeof line.ms === 'number'));
  });

  test('logs a refused reply once as an error, not also as a response that did not complete', async () => {
    await request(`${server.url}/bad-header`, { headers: { 'x-request-id': 'refused-1' } });
    const lines = logger.lines().filter((line) => line.reqId === 'refused-1');
    assert.deepEqual(lines.map((line) => [line.level, line.msg]), [[50, 'reply was rejected'], [30, 'request']]);
  });

  test('skips an unread request body, so the next request on the connection is read as a request', async () => {
    // Bodies that look like requests: if they were not skipped whole, a 404 would show up.
    const smuggled = 'GET /nope HTTP/1.1\r\nHost: x\r\n\r\n';
    const res = await raw(
      server.port,
      `POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}` +
        `POST /hello HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${smuggled.length.toString(16)}\r\n${smuggled}\r\n0\r\n\r\n` +
        'GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    assert.deepEqual([...res.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]), ['405', '405', '200']);
  });

  test('logs 499 when the client leaves before the reply', async () => {
    await raw(server.port, 'GET /slow HTTP/1.1\r\nHost: x\r\nX-Request-Id: gone-1\r\n\r\n', 50);
    // The line is written when the 300 ms handler ends: poll for it rather than guess when that is.
    const logged = () => logger.lines().find((l) => l.reqId === 'gone-1' && l.msg === 'request');
    for (const deadline = Date.now() + 10_000; logged() === undefined && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(logged()?.status, 499);
  });
});
