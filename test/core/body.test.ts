import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../src/index.js';
import { memoryLogger } from '../logger.js';
import { serve, type TestServer } from '../server.js';
import { raw, request, statusOf } from './client.js';

describe('request bodies over HTTP/1.1', () => {
  const app = createApp({ log: memoryLogger().log, bodyLimit: 1024 });
  const seen: unknown[] = [];
  let server: TestServer;

  before(async () => {
    app.post('/json', async (ctx) => {
      const data = await ctx.body.json();
      seen.push(data);
      return ctx.json({ got: data });
    });
    app.post('/form', async (ctx) => ctx.json(await ctx.body.form()));
    app.post('/small', { bodyLimit: 10 }, async (ctx) => ctx.text(await ctx.body.text()));
    app.post('/big', { bodyLimit: 4096 }, async (ctx) => ctx.text(String((await ctx.body.buffer()).length)));
    app.get('/hello', (ctx) => ctx.text('Hello Node!'));
    server = await serve(app);
  });
  after(() => server.close());

  const post = (path: string, body: string | Buffer, type = 'application/json') =>
    request(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

  test('echoes JSON that fits the limit', async () => {
    const res = await post('/json', '{"name":"김"}');
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { got: { name: '김' } });
  });

  test('answers 413 with Connection: close when Content-Length is over the limit, and the client reads it', async () => {
    const res = await post('/json', Buffer.alloc(64 * 1024, 'a'));
    assert.equal(res.status, 413);
    assert.equal(res.headers.connection, 'close');
    assert.deepEqual(JSON.parse(res.body), { error: { code: 'BODY_TOO_LARGE', message: 'request body is over 1 KiB' } });
  });

  test('answers 413 and closes when a chunked body without Content-Length passes the limit', async () => {
    const chunk = 'x'.repeat(600);
    const res = await raw(
      server.port,
      `POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n` +
        `258\r\n${chunk}\r\n258\r\n${chunk}\r\n0\r\n\r\n`,
    );
    assert.equal(statusOf(res.text), 413);
    assert.match(res.text, /connection: close/i);
    assert.equal(res.closed, true);
  });

  test('applies a route\'s own body limit, smaller or larger than the app\'s', async () => {
    assert.equal((await post('/small', '0123456789', 'text/plain')).status, 200);
    const over = await post('/small', '0123456789a', 'text/plain');
    assert.equal(over.status, 413);
    assert.deepEqual(JSON.parse(over.body), { error: { code: 'BODY_TOO_LARGE', message: 'request body is over 10 bytes' } });
    const big = await post('/big', Buffer.alloc(3000), 'application/octet-stream');
    assert.equal(big.status, 200);
    assert.equal(big.body, '3000');
  });

  test('answers malformed JSON with a short 400 that does not echo the input', async () => {
    const res = await post('/json', '{"password":"hunter2",');
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.body), { error: { code: 'MALFORMED_JSON', message: 'request body is not valid JSON' } });
    assert.doesNotMatch(res.body, /hunter2/);
  });

  test('answers an empty JSON body with 400', async () => {
    const res = await post('/json', '');
    assert.equal(res.status, 400);
    assert.equal((JSON.parse(res.body) as { error: { code: string } }).error.code, 'EMPTY_BODY');
  });

  test('answers 415 when a JSON route is sent text/plain or another charset', async () => {
    assert.equal((await post('/json', '{"a":1}', 'text/plain')).status, 415);
    assert.equal((await post('/json', '{"a":1}', 'application/json; charset=iso-8859-1')).status, 415);
  });

  test('parses a urlencoded form', async () => {
    const res = await post('/form', 'name=%EA%B9%80&x=1&__proto__=evil', 'application/x-www-form-urlencoded');
    assert.deepEqual(JSON.parse(res.body), { name: '김', x: '1' });
  });

  test('keeps Object.prototype clean when JSON carries __proto__', async () => {
    const res = await post('/json', '{"a":{"__proto__":{"polluted":true}},"\\u005f_proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}');
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { got: { a: {} } });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('cuts a body that never finishes at the request timeout, and keeps serving', async () => {
    // A server of its own with a 600 ms request timeout: a short one on the shared server would cut any request
    // that a loaded machine is slow to read.
    const short = await serve(app, { requestTimeout: 600, headersTimeout: 300 });
    try {
      const res = await raw(short.port, 'POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":', 60_000);
      assert.equal(res.closed, true, 'the server closed the connection');
      // Expected at 0.6-0.9 s; the bound is far from that and from the 30 s default.
      assert.ok(res.ms < 10_000, `cut after ${res.ms} ms`);
      assert.ok(statusOf(res.text) === 408 || res.text === '', res.text);
      assert.equal((await request(`${short.url}/hello`)).body, 'Hello Node!');
    } finally {
      await short.close();
    }
  });
});
