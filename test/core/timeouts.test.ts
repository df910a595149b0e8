// listen()'s defaults as the README states them (headers 10 s, request 30 s, keep-alive 5 s) and close()'s 10 s
// grace, seen from a client socket. Each test waits for a real timeout, so they run side by side, each on its own
// server; the bounds are wide (a loaded machine answers late, never early) but exclude the next plausible value:
// Node's own defaults (60 s, 300 s) or no cut at all.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp, type App } from '../../src/index.js';
import { memoryLogger } from '../logger.js';
import { serve } from '../server.js';
import { statusOf } from './client.js';

/** An app whose GET /stall answers only when `release()` is called; `started` resolves once a request reached it. */
function stallingApp(): { app: App; started: Promise<void>; release: () => void } {
  const app = createApp({ log: memoryLogger().log });
  let reached!: () => void;
  const started = new Promise<void>((resolve) => (reached = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  app.get('/hello', (ctx) => ctx.text('Hello Node!'));
  app.post('/echo', async (ctx) => ctx.text(await ctx.body.text()));
  app.get('/stall', async (ctx) => {
    reached();
    await released;
    return ctx.text('released');
  });
  return { app, started, release };
}

/** A connection that collects what the server sends; `closed` resolves with the time (Date.now()) it closed. */
async function open(port: number): Promise<{ socket: Socket; text: () => string; closed: Promise<number> }> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let text = '';
  socket.setEncoding('latin1').on('data', (chunk: string) => (text += chunk));
  socket.on('error', () => {});
  const closed = once(socket, 'close').then(() => Date.now());
  return { socket, text: () => text, closed };
}

function assertWithin(ms: number, low: number, high: number, what: string): void {
  assert.ok(ms >= low && ms <= high, `${what} after ${ms} ms, expected ${low}–${high} ms`);
}

describe('listen() defaults and the grace of close()', { concurrency: true, timeout: 90_000 }, () => {
  test('answers 408 and closes a connection whose request head is still unfinished after 10 s', async () => {
    const server = await serve(stallingApp().app);
    const client = await open(server.port);
    try {
      const sent = Date.now();
      client.socket.write('GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      const ms = (await client.closed) - sent;
      assert.equal(statusOf(client.text()), 408, client.text());
      assertWithin(ms, 9_500, 20_000, 'cut');
    } finally {
      client.socket.destroy();
      await server.close();
    }
  });

  test('answers 408 and closes a connection whose request body is still unfinished after 30 s', async () => {
    const server = await serve(stallingApp().app);
    const client = await open(server.port);
    try {
      const sent = Date.now();
      client.socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nhalf');
      const ms = (await client.closed) - sent;
      assert.equal(statusOf(client.text()), 408, client.text());
      assertWithin(ms, 29_500, 45_000, 'cut');
    } finally {
      client.socket.destroy();
      await server.close();
    }
  });

  test('closes an idle keep-alive connection after 5 s, and says so in Keep-Alive', async () => {
    const server = await serve(stallingApp().app);
    const client = await open(server.port);
    try {
      client.socket.write('GET /hello HTTP/1.1\r\nHost: x\r\n\r\n');
      while (!client.text().endsWith('Hello Node!')) await once(client.socket, 'data');
      const answered = Date.now();
      assert.match(client.text(), /\r\nKeep-Alive: timeout=5\r\n/i);
      const ms = (await client.closed) - answered;
      assertWithin(ms, 4_500, 9_500, 'closed');
    } finally {
      client.socket.destroy();
      await server.close();
    }
  });

  test('close() cuts a request still running 10 s after it was called, and not before', async () => {
    const { app, started, release } = stallingApp();
    const server = await serve(app);
    const client = await open(server.port);
    try {
      client.socket.write('GET /stall HTTP/1.1\r\nHost: x\r\n\r\n');
      await started;
      const closing = Date.now();
      // Bounded, so a close() that never cuts fails this test instead of hanging the file.
      const closed = await Promise.race([server.close().then(() => true), sleep(30_000, false, { ref: false })]);
      const ms = Date.now() - closing;
      assert.ok(closed, 'close() had not resolved 30 s after it was called');
      const cut = (await client.closed) - closing;
      assertWithin(ms, 9_500, 20_000, 'close() resolved');
      assertWithin(cut, 9_500, 20_000, 'the connection was cut');
      assert.equal(client.text(), '', 'no answer was sent');
    } finally {
      client.socket.destroy();
      release();
      await server.close();
    }
  });
});
