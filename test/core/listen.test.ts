import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createApp, listen, type App } from '../../src/index.js';
import { memoryLogger } from '../logger.js';
import { serve } from '../server.js';
import { raw, request } from './client.js';

/**
 * A hello app whose GET /slow answers only once `release()` is called; `reached` resolves when a request is in the
 * handler, so a test never guesses how long a request takes to get there.
 */
function helloApp(): App & { reached: Promise<void>; release: () => void } {
  const app = createApp({ log: memoryLogger().log });
  let arrived!: () => void;
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  app.get('/hello', (ctx) => ctx.text('Hello Node!'));
  app.get('/slow', async (ctx) => {
    arrived();
    await released;
    return ctx.text('finished');
  });
  return Object.assign(app, { reached, release });
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
  try {
    // In a process of its own, so a listener left open shows as a process that does not exit: the first port (0)
    // starts, the second cannot, and the first must be closed again.
    const script = `
      const { createApp, createLogger, listen } = await import(${JSON.stringify(pathToFileURL(fileURLToPath(new URL('../../src/index.ts', import.meta.url))).href)});
      const app = createApp({ log: createLogger({ level: 'silent', pretty: false }) });
      await listen(app, { port: [0, ${taken.port}], host: '127.0.0.1' }).then(() => console.log('listening'), (err) => console.log(err.message));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = await Promise.race([once(child, 'exit').then(() => true), sleep(30_000, false, { ref: false })]);
    child.kill('SIGKILL');
    assert.equal(out, `port ${taken.port} is already in use (127.0.0.1:${taken.port}): stop the other server or choose another port, e.g. --port ${taken.port + 1}\n`);
    assert.ok(exited, 'the process exits on its own: no listener is left open');
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
  const app = helloApp();
  const server = await serve(app);
  const inFlight = request(`${server.url}/slow`);
  await app.reached;
  const closed = server.close();
  app.release();
  const res = await inFlight;
  assert.equal(res.status, 200);
  assert.equal(res.body, 'finished');
  assert.equal(res.headers.connection, 'close');
  // Without a cut (the grace is 10 s): close() resolves once the request is done.
  const started = Date.now();
  await closed;
  assert.ok(Date.now() - started < 5000, `closed ${Date.now() - started} ms after the request finished`);
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
    // The alternatives are the 10 s grace or the 60 s keep-alive: 5 s is far from both and from ~0.
    const started = Date.now();
    await server.close(10_000);
    assert.ok(Date.now() - started < 5000, `closed after ${Date.now() - started} ms`);
  } finally {
    agent.destroy();
  }
});

test('close() cuts connections still busy after the grace period', async () => {
  const app = helloApp();
  // Timeouts far longer than the test, so only close() can cut the two connections below.
  const server = await serve(app, { headersTimeout: 60_000, requestTimeout: 60_000 });
  // A client that sent half a request head and then stalls, and a request whose handler never answers.
  const stuck = connect(server.port, '127.0.0.1');
  try {
    stuck.on('error', () => {});
    await new Promise((resolve) => stuck.once('connect', resolve));
    const stuckClosed = new Promise((resolve) => stuck.once('close', resolve));
    stuck.write('GET /hello HTTP/1.1\r\nHost: x\r\n');
    const slow = request(`${server.url}/slow`).catch((err: Error) => err);
    await app.reached;
    const started = Date.now();
    // Bounded, so a close() that never cuts fails the test instead of hanging the file.
    const closed = await Promise.race([server.close(300).then(() => true), sleep(30_000, false, { ref: false })]);
    const took = Date.now() - started;
    assert.ok(closed, 'close() had not resolved 30 s after it was called');
    assert.ok(took >= 250 && took < 10_000, `closed after ${took} ms`);
    await stuckClosed;
    assert.ok((await slow) instanceof Error, 'the slow request was cut');
  } finally {
    stuck.destroy();
    app.release();
  }
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
