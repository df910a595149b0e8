// Redis down and back, over real sockets, against a throwaway redis-server this test starts and kills: requests that
// need the session get a clear 503, the process keeps serving everything else, and it recovers without a restart.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp, RedisStore, sessions } from '../../src/index.js';
import { memoryLogger } from '../logger.js';
import { serve, type TestServer } from '../server.js';
import { serviceSkip } from '../services.js';
import { spareport, startRedisServer } from './redis-server.js';

// Where the Redis service runs, redis-server is installed too (SERVICES.md); in CI this fails loudly if it is not.
const skip = await serviceSkip('redis');

let server: TestServer;
let store: RedisStore;
let port: number;

before(async () => {
  if (skip) return;
  port = await spareport();
  store = new RedisStore({ url: `redis://127.0.0.1:${port}`, prefix: 'outage:', timeout: 300 });
  const app = createApp({ log: memoryLogger().log });
  app.use(sessions({ store }));
  app.get('/public', (ctx) => ctx.text('still here'));
  app.get('/me', (ctx) => ctx.json({ name: ctx.session.data.name ?? null }));
  app.post('/login', async (ctx) => {
    await ctx.session.regenerate();
    ctx.session.data.name = 'kim';
    return ctx.empty();
  });
  server = await serve(app);
});
after(async () => {
  await server?.close();
  await store?.close();
});

const me = (cookie: string) => fetch(`${server.url}/me`, { headers: { cookie } });
const login = () => fetch(`${server.url}/login`, { method: 'POST' });

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
  // Down from the start.
  const started = Date.now();
  await expectUnavailable(await login());
  await expectUnavailable(await me('sid=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'));
  assert.ok(Date.now() - started < 3000, `503s took ${Date.now() - started} ms`);
  assert.equal(await (await fetch(`${server.url}/public`, { headers: { cookie: 'sid=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } })).text(), 'still here');

  // Redis comes up: the same process recovers on its own.
  let redis = await startRedisServer(port);
  try {
    let cookie = '';
    assert.ok(
      await eventually(async () => {
        const res = await login();
        cookie = res.headers.getSetCookie()[0]?.split(';')[0] ?? '';
        return res.status === 204;
      }, 5000),
      'login works again once Redis is back',
    );
    assert.deepEqual(await (await me(cookie)).json(), { name: 'kim' });

    // Redis goes away mid-life…
    await redis.stop();
    const down = Date.now();
    await expectUnavailable(await me(cookie));
    assert.ok(Date.now() - down < 3000);

    // …and comes back (empty: it keeps nothing on disk), and the process serves sessions again.
    redis = await startRedisServer(port);
    assert.ok(await eventually(async () => (await login()).status === 204, 5000), 'recovers a second time');
  } finally {
    await redis.stop();
  }
});
