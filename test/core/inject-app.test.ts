import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inject } from '../../src/index.js';
import { testApp, type TestApp } from '../app/harness.js';
import { serve, type TestServer } from '../server.js';
import { request } from './client.js';

// Headers a socket adds that an in-process request has no reason to carry.
const TRANSPORT_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

describe('inject() against a real socket, on the member directory app', () => {
  let harness: TestApp;
  let server: TestServer;
  before(async () => {
    harness = await testApp();
    server = await serve(harness.app);
  });
  after(async () => {
    await server.close();
    await harness.close();
  });

  for (const [method, url] of [['GET', '/'], ['GET', '/hello'], ['GET', '/healthz'], ['HEAD', '/hello'], ['OPTIONS', '/'], ['GET', '/nope']] as const) {
    test(`gives the same status, headers and body as a socket for ${method} ${url}`, async () => {
      const injected = await inject(harness.app, { method, url });
      const socket = await request(`${server.url}${url}`, { method });
      assert.equal(injected.status, socket.status);
      assert.equal(injected.body, socket.body);
      const socketHeaders = Object.fromEntries(Object.entries(socket.headers).filter(([name]) => !TRANSPORT_HEADERS.has(name)));
      assert.deepEqual(injected.headers, socketHeaders);
    });
  }

  test('answers /hello with the text Hello Node! and /healthz with {"status":"ok"}', async () => {
    const hello = await inject(harness.app, { url: '/hello' });
    assert.equal(hello.body, 'Hello Node!');
    assert.equal(hello.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(hello.headers['content-length'], '11');
    const health = await inject(harness.app, { url: '/healthz' });
    assert.equal(health.body, '{"status":"ok"}');
    assert.equal(health.headers['content-type'], 'application/json; charset=utf-8');
  });
});
