import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { test } from 'node:test';
import { createApp, listen } from '../../src/index.js';
import { memoryLogger } from '../logger.js';
import { request } from './client.js';

interface LoopResult {
  ok: number;
  failed: string[];
  toldToGo: boolean;
}

/**
 * A keep-alive client that sends its next request the moment a reply arrives, as a load balancer or a busy API
 * client does, until a reply says `Connection: close`.
 */
async function backToBack(url: string, connected: () => void): Promise<LoopResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const result: LoopResult = { ok: 0, failed: [], toldToGo: false };
  try {
    for (;;) {
      try {
        const res = await request(`${url}/hello`, { agent });
        if (result.ok === 0) connected();
        if (res.status === 200) result.ok++;
        else result.failed.push(`status ${res.status}`);
        if (res.headers.connection === 'close') {
          result.toldToGo = true;
          return result;
        }
      } catch (err) {
        result.failed.push((err as NodeJS.ErrnoException).code ?? (err as Error).message);
        return result;
      }
    }
  } finally {
    agent.destroy();
  }
}

test('close() loses no request of keep-alive clients that send back to back, and tells each to go', async () => {
  const app = createApp({ log: memoryLogger().log });
  app.get('/hello', (ctx) => ctx.text('Hello Node!'));
  const server = await listen(app, { port: 0, host: '127.0.0.1', keepAliveTimeout: 60_000 });
  let waiting = 16;
  let allConnected!: () => void;
  const connected = new Promise<void>((resolve) => (allConnected = resolve));
  const loops = Array.from({ length: waiting }, () => backToBack(server.urls[0]!, () => --waiting === 0 && allConnected()));
  // Drain once every client is connected and busy (a connection still in the accept queue when a listener closes
  // is refused by the kernel, drain or not): requests are then on the wire at any moment.
  await connected;
  await new Promise((resolve) => setTimeout(resolve, 100));
  await server.close(10_000);
  const results = await Promise.all(loops);
  assert.deepEqual(results.flatMap((r) => r.failed), [], 'no request failed');
  assert.ok(results.every((r) => r.toldToGo), 'every client was told Connection: close');
  assert.ok(results.every((r) => r.ok > 0));
});
