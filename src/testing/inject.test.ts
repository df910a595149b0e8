import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { memoryLogger } from '../../test/logger.js';
import { serve, type TestServer } from '../../test/server.js';
import { createApp } from '../app.js';
import { HttpError } from '../errors.js';
import { inject } from './inject.js';

/** The skeleton's three pages, as app/routes/pages.ts first served them. */
function skeletonApp() {
  const app = createApp({ log: memoryLogger().log });
  app.get('/', (ctx) => ctx.html('<!doctype html>\n<title>maru</title>\n<h1>maru</h1>\n<a href="/hello">/hello</a> <a href="/healthz">/healthz</a>\n'));
  app.get('/hello', (ctx) => ctx.text('Hello Node!'));
  app.get('/healthz', (ctx) => ctx.json({ status: 'ok' }));
  app.post('/echo', async (ctx) => ctx.json({ got: await ctx.body.json(), type: ctx.headers['content-type'] ?? null }));
  app.get('/stream', (ctx) => ctx.stream(Readable.from(['a', 'b'])));
  app.get('/bad-header', () => ({ status: 200, headers: { 'x-bad': 'a\r\nb' }, body: 'x' }));
  app.get('/bad-status', (ctx) => ctx.text('x', 1000));
  app.get('/bad-range', () => ({ status: 206, headers: {}, body: { kind: 'file', path: '/dev/null', start: 5, end: 1 } }));
  app.get('/teapot', () => {
    throw new HttpError(418, 'TEAPOT', 'short and stout', { headers: { 'x-why': 'tea' } });
  });
  return app;
}

function overSocket(url: string, method: string, body?: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = httpRequest(url, { method, agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// Headers a socket adds that an in-process request has no reason to carry.
const TRANSPORT_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

describe('inject() against a real socket', () => {
  let server: TestServer;
  const app = skeletonApp();
  before(async () => {
    server = await serve(app);
  });
  after(() => server.close());

  const cases: [method: string, url: string][] = [
    ['GET', '/'],
    ['GET', '/hello'],
    ['GET', '/healthz'],
    ['HEAD', '/hello'],
    ['OPTIONS', '/healthz'],
    ['DELETE', '/hello'],
    ['GET', '/nope'],
    ['GET', '/teapot'],
    ['GET', '/stream'],
  ];
  for (const [method, url] of cases) {
    test(`gives the same status, headers and body as a socket for ${method} ${url}`, async () => {
      const injected = await inject(app, { method, url });
      const socket = await overSocket(`${server.url}${url}`, method);
      assert.equal(injected.status, socket.status);
      assert.equal(injected.body, socket.body);
      const socketHeaders = Object.fromEntries(Object.entries(socket.headers).filter(([name]) => !TRANSPORT_HEADERS.has(name)));
      assert.deepEqual(injected.headers, socketHeaders);
    });
  }

  for (const url of ['/bad-header', '/bad-status', '/bad-range']) {
    test(`answers ${url} with the same 500 as a socket, where Node refuses the reply`, async () => {
      const headers = { 'x-request-id': 'same-id' };
      const injected = await inject(app, { url, headers });
      const socket = await overSocket(`${server.url}${url}`, 'GET', undefined, headers);
      assert.equal(injected.status, 500);
      assert.equal(socket.status, 500);
      assert.equal(injected.body, socket.body);
      assert.equal(injected.headers['content-type'], socket.headers['content-type']);
      assert.equal(injected.headers['x-bad'], undefined);
    });
  }

  test('answers HEAD of a reply with an impossible file range like a socket does: the file is never opened', async () => {
    const injected = await inject(app, { method: 'HEAD', url: '/bad-range' });
    const socket = await overSocket(`${server.url}/bad-range`, 'HEAD');
    assert.equal(injected.status, socket.status);
    assert.equal(injected.status, 206);
  });

  test('answers the skeleton routes as the issue asks', async () => {
    const hello = await inject(app, { url: '/hello' });
    assert.equal(hello.body, 'Hello Node!');
    assert.equal(hello.headers['content-type'], 'text/plain; charset=utf-8');
    const health = await inject(app, { url: '/healthz' });
    assert.deepEqual(health.json(), { status: 'ok' });
    assert.equal(health.headers['content-type'], 'application/json; charset=utf-8');
    const home = await inject(app, { url: '/' });
    assert.match(home.body, /<h1>maru<\/h1>/);
    assert.equal(home.headers['content-type'], 'text/html; charset=utf-8');
  });

  test('sends an object body as JSON with its content type, and a string as is', async () => {
    const json = await inject(app, { method: 'POST', url: '/echo', body: { a: 1 } });
    assert.deepEqual(json.json(), { got: { a: 1 }, type: 'application/json' });
    const text = await inject(app, { method: 'post', url: '/echo', body: '[1]', headers: { 'Content-Type': 'application/merge-patch+json' } });
    assert.deepEqual(text.json(), { got: [1], type: 'application/merge-patch+json' });
    const socket = await overSocket(`${server.url}/echo`, 'POST', '[1]', { 'content-type': 'application/merge-patch+json' });
    assert.equal(socket.body, text.body);
  });

  test('runs the access log like a socket request', async () => {
    const logger = memoryLogger();
    const logged = createApp({ log: logger.log });
    logged.get('/x', (ctx) => ctx.text('x'));
    await inject(logged, { url: '/x' });
    assert.equal(logger.lines().filter((line) => line.msg === 'request' && line.status === 200).length, 1);
  });
});
