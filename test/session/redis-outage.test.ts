// Redis down and back, over real sockets, against a throwaway redis-server these tests start and kill: requests that
// need the session get a clear 503, the process keeps serving everything else, and it recovers without a restart.
// They need the redis-server binary, not the shared Redis.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp, RedisStore, sessions } from '../../src/index.js';
import { memoryLogger } from '../logger.js';
import { serve, type TestServer } from '../server.js';
import { redisServerSkip, throwawayRedis, type ThrowawayRedis } from './redis-server.js';

const skip = await redisServerSkip();

/** The app of these tests on its own server, its sessions in `redis` through a store with the given timeout. */
async function appOn(redis: ThrowawayRedis, timeout: number): Promise<{ server: TestServer; store: RedisStore; close(): Promise<void> }> {
  const store = new RedisStore({ url: redis.url, prefix: 'outage:', timeout });
  const app = createApp({ log: memoryLogger().log });
  app.use(sessions({ store }));
  app.get('/public', (ctx) => ctx.text('still here'));
  app.get('/me', (ctx) => ctx.json({ name: ctx.session.data.name ?? null }));
  app.post('/login', async (ctx) => {
    await ctx.session.regenerate();
    ctx.session.data.name = 'kim';
    return ctx.empty();
  });
  const server = await serve(app);
  return {
    server,
    store,
    async close() {
      await server.close();
      await store.close();
    },
  };
}

/** Retries `attempt` until it returns true, for at most `ms`. */
async function eventually(attempt: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await attempt()) return true;
    await sleep(100);
  }
  return false;
}

async function expectUnavailable(res: Response): Promise<void> {
  assert.equal(res.status, 503);
  assert.equal(res.headers.get('retry-after'), '5');
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'SESSION_STORE_UNAVAILABLE');
  assert.match(body.error.message, /session store does not answer/);
}

test('Redis down: 503 fast for session requests, the rest still served; back up: works without a restart', { skip }, async () => {
  const redis = await throwawayRedis();
  const { server, close } = await appOn(redis, 300);
  const me = (cookie: string) => fetch(`${server.url}/me`, { headers: { cookie } });
  const login = () => fetch(`${server.url}/login`, { method: 'POST' });
  try {
    // Down from the start: the store waits its 300 ms timeout for a first connection, then answers.
    const started = Date.now();
    await expectUnavailable(await login());
    await expectUnavailable(await me('sid=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'));
    assert.ok(Date.now() - started < 3000, `503s took ${Date.now() - started} ms`);
    assert.equal(await (await fetch(`${server.url}/public`, { headers: { cookie: 'sid=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } })).text(), 'still here');

    // Redis comes up: the same process recovers on its own.
    await redis.start();
    let cookie = '';
    assert.ok(
      await eventually(async () => {
        const res = await login();
        cookie = res.headers.getSetCookie()[0]?.split(';')[0] ?? '';
        return res.status === 204;
      }, 15_000),
      'login works again once Redis is back',
    );
    assert.deepEqual(await (await me(cookie)).json(), { name: 'kim' });

    // Redis goes away mid-life…
    await redis.stop();
    await expectUnavailable(await me(cookie));

    // …and comes back (empty: it keeps nothing on disk), and the process serves sessions again.
    await redis.start();
    assert.ok(await eventually(async () => (await login()).status === 204, 15_000), 'recovers a second time');
  } finally {
    await close();
    await redis.close();
  }
});

test('a Redis that stops answering gets 503 at once, not after the store timeout: commands are never queued', { skip }, async () => {
  const redis = await throwawayRedis();
  await redis.start();
  // A command timeout far longer than the bound below: a command waiting in a queue would take all of it.
  const { server, store, close } = await appOn(redis, 30_000);
  try {
    const login = await fetch(`${server.url}/login`, { method: 'POST' });
    assert.equal(login.status, 204);
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;

    redis.hang();
    // Once the client has seen its connection drop, a command has nowhere to go but a queue.
    assert.ok(await eventually(async () => store.client.status !== 'ready', 10_000), 'the client notices the dropped connection');
    const started = Date.now();
    const res = await fetch(`${server.url}/me`, { headers: { cookie }, signal: AbortSignal.timeout(20_000) });
    const ms = Date.now() - started;
    await expectUnavailable(res);
    assert.ok(ms < 5_000, `503 after ${ms} ms, with a 30 s store timeout`);
    assert.equal(await (await fetch(`${server.url}/public`, { headers: { cookie } })).text(), 'still here');
  } finally {
    await close();
    await redis.close();
  }
});
