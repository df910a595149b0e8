import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { createApp, inject } from '../index.js';
import { memoryLogger } from '../../test/logger.js';
import { makeTree } from '../../test/static/fixture.js';
import { serveStatic } from './serve.js';

test('answers a cache hit synchronously with the same prebuilt reply every time', async () => {
  const { root, cleanup } = await makeTree({ 'site.css': 'a{}'.repeat(100) });
  try {
    const app = createApp({ log: memoryLogger().log });
    const handler = serveStatic({ root, hotCache: { revalidateMs: 60_000 } });
    const ctx = () => app.context({ method: 'GET', target: '/site.css', headers: {}, body: Readable.from([]), remoteAddress: '127.0.0.1', secure: false, httpVersion: '1.1' });
    const first = await handler(ctx());
    const second = handler(ctx());
    const third = handler(ctx());
    assert.ok(!(second instanceof Promise), 'a hit must not go through a promise');
    assert.equal(second, third);
    assert.equal(second, first);
    assert.ok(Object.isFrozen(first.headers), 'shared headers are frozen so nobody mutates them');
  } finally {
    await cleanup();
  }
});

test('serves the same file through inject as over a socket', async () => {
  const { root, cleanup } = await makeTree({ 'a.txt': 'hello' });
  try {
    const app = createApp({ log: memoryLogger().log });
    app.use(serveStatic({ root }));
    const res = await inject(app, { url: '/a.txt', headers: { range: 'bytes=1-3' } });
    assert.equal(res.status, 206);
    assert.equal(res.body, 'ell');
  } finally {
    await cleanup();
  }
});

test('does not make a cache key of every spelling of a path', async () => {
  const { root, cleanup } = await makeTree({ 'a.txt': 'hello' });
  try {
    const app = createApp({ log: memoryLogger().log });
    const handler = serveStatic({ root });
    app.use(handler);
    for (const url of ['/a.txt', '/./a.txt', '//a.txt', '/%61.txt', '/x/../a.txt'.replace('/x/..', '')]) {
      const res = await inject(app, { url });
      assert.equal(res.body, 'hello', url);
    }
    // Only the canonical spelling is answered synchronously from the cache.
    const hit = handler(app.context({ method: 'GET', target: '/a.txt', headers: {}, body: Readable.from([]), remoteAddress: undefined, secure: false, httpVersion: '1.1' }));
    const miss = handler(app.context({ method: 'GET', target: '/%61.txt', headers: {}, body: Readable.from([]), remoteAddress: undefined, secure: false, httpVersion: '1.1' }), () => Promise.reject(new Error('unused')));
    assert.ok(!(hit instanceof Promise));
    assert.ok(miss instanceof Promise);
    assert.equal((await miss).body, (hit as { body: unknown }).body);
  } finally {
    await cleanup();
  }
});

test('builds the headers option into every file reply: 200, 206 and 304', async () => {
  const { root, cleanup } = await makeTree({ 'a.txt': 'hello' });
  try {
    const app = createApp({ log: memoryLogger().log });
    app.use(serveStatic({ root, headers: { 'x-content-type-options': 'nosniff' } }));
    const whole = await inject(app, { url: '/a.txt' });
    const part = await inject(app, { url: '/a.txt', headers: { range: 'bytes=0-1' } });
    const same = await inject(app, { url: '/a.txt', headers: { 'if-none-match': String(whole.headers.etag) } });
    assert.deepEqual([whole.status, part.status, same.status], [200, 206, 304]);
    for (const res of [whole, part, same]) assert.equal(res.headers['x-content-type-options'], 'nosniff');
  } finally {
    await cleanup();
  }
});

test('throws a TypeError at set-up for a headers option that would override its own headers or split a line', async () => {
  const { root, cleanup } = await makeTree({});
  try {
    assert.throws(() => serveStatic({ root, headers: { 'content-type': 'text/html' } }), /option headers/);
    assert.throws(() => serveStatic({ root, headers: { 'X-Upper': 'a' } }), /option headers/);
    assert.throws(() => serveStatic({ root, headers: { 'x-a': 'a\r\nx-b: b' } }), /option headers\.x-a/);
  } finally {
    await cleanup();
  }
});
