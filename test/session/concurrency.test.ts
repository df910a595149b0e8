// The concurrency semantics documented in src/session/session.ts, over real sockets: each request writes its whole
// copy of the session when it ends, so the last to finish wins (never a mix), and destroy or regenerate win over a
// request that was still running.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createApp, MemoryStore, RedisStore, sessions, type SessionStore } from '../../src/index.js';
import { memoryLogger } from '../logger.js';
import { serve, type TestServer } from '../server.js';
import { REDIS_URL, serviceSkip } from '../services.js';
import { removeRedisKeys } from './redis-keys.js';

const redisSkip = await serviceSkip('redis');
const redisPrefix = `maru-test:conc:${randomBytes(6).toString('hex')}:`;
after(async () => {
  if (!redisSkip) await removeRedisKeys(REDIS_URL, redisPrefix);
});
const stores: [string, () => SessionStore, string | false][] = [
  ['MemoryStore', () => new MemoryStore(), false],
  ['RedisStore', () => new RedisStore({ url: REDIS_URL, prefix: redisPrefix }), redisSkip],
];

/** Requests parked in a handler until the test lets them go, by name. */
function gates() {
  const waiting = new Map<string, () => void>();
  const arrived = new Map<string, () => void>();
  return {
    /** Called by the handler: resolves when the test opens this gate. */
    park(name: string): Promise<void> {
      arrived.get(name)?.();
      return new Promise((resolve) => waiting.set(name, resolve));
    },
    /** Resolves once a request has reached the gate. */
    reached(name: string): Promise<void> {
      return new Promise((resolve) => arrived.set(name, resolve));
    },
    open(name: string): void {
      waiting.get(name)?.();
    },
  };
}

for (const [name, makeStore, skip] of stores) {
  describe(`concurrent requests of one session with ${name}`, { skip }, () => {
    let server: TestServer;
    let store: SessionStore;
    const gate = gates();
    const req = (method: string, path: string, cookie?: string) =>
      fetch(`${server.url}${path}`, { method, ...(cookie === undefined ? {} : { headers: { cookie } }) });

    before(async () => {
      store = makeStore();
      const app = createApp({ log: memoryLogger().log });
      app.use(sessions({ store }));
      app.post('/login', (ctx) => {
        ctx.session.data.name = 'kim';
        return ctx.empty();
      });
      app.get('/data', (ctx) => ctx.json(ctx.session.data));
      // Sets one field, then waits at the gate named by ?gate= before answering (and saving).
      app.post('/slow', async (ctx) => {
        ctx.session.data[ctx.query.get('field')!] = ctx.query.get('value');
        await gate.park(ctx.query.get('gate')!);
        return ctx.empty();
      });
      app.post('/logout', async (ctx) => {
        await ctx.session.destroy();
        return ctx.empty();
      });
      server = await serve(app);
    });
    after(async () => {
      await server?.close();
      await store?.close?.();
    });

    async function login(): Promise<string> {
      const res = await req('POST', '/login');
      return res.headers.getSetCookie()[0]!.split(';')[0]!;
    }

    test('of two requests that change one session, the one that finishes last wins, whole', async () => {
      const cookie = await login();
      const reachedA = gate.reached('a1');
      const a = req('POST', '/slow?gate=a1&field=color&value=red', cookie);
      await reachedA;
      const reachedB = gate.reached('b1');
      const b = req('POST', '/slow?gate=b1&field=size&value=xl', cookie);
      await reachedB;
      gate.open('b1');
      assert.equal((await b).status, 204);
      gate.open('a1');
      assert.equal((await a).status, 204);
      // A started from the data before B's change and finished last: its whole copy is what remains.
      assert.deepEqual(await (await req('GET', '/data', cookie)).json(), { name: 'kim', color: 'red' });
    });

    test('the other order: the request that finishes last wins', async () => {
      const cookie = await login();
      const reachedA = gate.reached('a2');
      const a = req('POST', '/slow?gate=a2&field=color&value=red', cookie);
      await reachedA;
      const reachedB = gate.reached('b2');
      const b = req('POST', '/slow?gate=b2&field=size&value=xl', cookie);
      await reachedB;
      gate.open('a2');
      await a;
      gate.open('b2');
      await b;
      assert.deepEqual(await (await req('GET', '/data', cookie)).json(), { name: 'kim', size: 'xl' });
    });

    test('a logout wins over a request that was still running: the session stays ended', async () => {
      const cookie = await login();
      const reached = gate.reached('c');
      const slow = req('POST', '/slow?gate=c&field=color&value=red', cookie);
      await reached;
      assert.equal((await req('POST', '/logout', cookie)).status, 204);
      gate.open('c');
      assert.equal((await slow).status, 204);
      assert.deepEqual(await (await req('GET', '/data', cookie)).json(), {});
    });

    test('many concurrent writers leave one whole, readable record', async () => {
      const cookie = await login();
      const writers = Array.from({ length: 20 }, (_, i) => {
        const reached = gate.reached(`m${i}`);
        return { done: req('POST', `/slow?gate=m${i}&field=f${i}&value=${i}`, cookie), reached };
      });
      await Promise.all(writers.map((w) => w.reached));
      for (let i = 0; i < writers.length; i++) gate.open(`m${i}`);
      await Promise.all(writers.map((w) => w.done));
      const data = (await (await req('GET', '/data', cookie)).json()) as Record<string, unknown>;
      const fields = Object.keys(data).filter((k) => k.startsWith('f'));
      assert.equal(data.name, 'kim');
      assert.equal(fields.length, 1, `exactly one writer's copy survives, got ${JSON.stringify(data)}`);
    });
  });
}
