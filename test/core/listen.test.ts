import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createApp, listen, type App } from '../../src/index.js';
import { memoryLogger } from '../logger.js';
import { serve } from '../server.js';
import { raw, request } from './client.js';

function helloApp(): App {
  const app = createApp({ log: memoryLogger().log });
  app.get('/hello', (ctx) => ctx.text('Hello Node!'));
  app.get('/slow', async (ctx) => {
    await new Promise((resolve) => setTimeout(resolve, Number(ctx.query.get('ms') ?? 300)));
    return ctx.text('finished');
  });
  return app;
}

/** A port that something else holds until `release()`. */
async function takenPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const { port } = blocker.address() as AddressInfo;
  return { port, release: () => new Promise((resolve) => blocker.close(() => resolve())) };
}

test('serves one app on several ports in one process', async () => {
  const server = await listen(helloApp(), { port: [0, 0, 0], host: '127.0.0.1' });
  try {
    assert.equal(server.urls.length, 3);
    assert.equal(new Set(server.urls).size, 3);
    for (const url of server.urls) {
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal((await request(`${url}/hello`)).body, 'Hello Node!');
    }
  } finally {
    await server.close();
  }
});

test('rejects with one clear line naming a taken port, and leaves no listener behind', async () => {
  const taken = await takenPort();
  const free = await takenPort();
  await free.release();
  try {
    await assert.rejects(listen(helloApp(), { port: [free.port, taken.port], host: '127.0.0.1' }), (err: Error) => {
      assert.equal(err.message, `port ${taken.port} is already in use (127.0.0.1:${taken.port}): stop the other server or choose another port, e.g. --port ${taken.port + 1}`);
      return true;
    });
    // The listener that did start was closed again: its port is free.
    const again = await listen(helloApp(), { port: free.port, host: '127.0.0.1' });
    await again.close();
  } finally {
    await taken.release();
  }
});

test('shows a wildcard host as localhost in its URLs', async () => {
  const server = await listen(helloApp(), { port: 0 });
  try {
    assert.match(server.urls[0]!, /^http:\/\/localhost:\d+$/);
  } finally {
    await server.close();
  }
});

test('close() lets an in-flight request finish and tells its client to go', async () => {
  const server = await serve(helloApp());
  const inFlight = request(`${server.url}/slow?ms=300`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const started = Date.now();
  const closed = server.close();
  const res = await inFlight;
  assert.equal(res.status, 200);
  assert.equal(res.body, 'finished');
  assert.equal(res.headers.connection, 'close');
  await closed;
  assert.ok(Date.now() - started < 2000);
});

test('close() stops accepting new connections', async () => {
  const server = await serve(helloApp());
  await server.close();
  await assert.rejects(request(`${server.url}/hello`), { code: 'ECONNREFUSED' });
});

test('close() closes idle keep-alive connections after a short grace, long before its deadline', async () => {
  const server = await serve(helloApp(), { keepAliveTimeout: 60_000 });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await request(`${server.url}/hello`, { agent });
    const started = Date.now();
    await server.close(10_000);
    assert.ok(Date.now() - started < 2000, `closed after ${Date.now() - started} ms`);
  } finally {
    agent.destroy();
  }
});

test('close() cuts connections still busy after the grace period', async () => {
  const server = await serve(helloApp());
  // A client that sent half a request head and then stalls.
  const stuck = connect(server.port, '127.0.0.1');
  await new Promise((resolve) => stuck.once('connect', resolve));
  stuck.write('GET /hello HTTP/1.1\r\nHost: x\r\n');
  const slow = request(`${server.url}/slow?ms=1000`).catch((err: Error) => err);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const stuckClosed = new Promise((resolve) => stuck.once('close', resolve));
  const started = Date.now();
  await server.close(300);
  const took = Date.now() - started;
  assert.ok(took >= 250 && took < 3000, `closed after ${took} ms`);
  await stuckClosed;
  assert.ok((await slow) instanceof Error, 'the slow request was cut');
});

test('a listener keeps serving after a hostile connection', async () => {
  const server = await serve(helloApp());
  try {
    await raw(server.port, 'NOT HTTP AT ALL\r\n\r\n');
    assert.equal((await request(`${server.url}/hello`)).body, 'Hello Node!');
  } finally {
    await server.close();
  }
});
