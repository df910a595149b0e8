// Sessions over real sockets, the same flow against every store: login sets a cookie, the next request sees the
// session, regenerate moves it to a new id, logout ends it, and so does the idle timeout; one browser ends the
// owner's other sessions; the backend never holds an id a cookie carries.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp, MemoryStore, RedisStore, sessions, SqliteStore, type App, type SessionStore } from '../../src/index.js';
import { memoryLogger } from '../logger.js';
import { serve, type TestServer } from '../server.js';
import { REDIS_URL, serviceSkip } from '../services.js';
import { Redis } from 'ioredis';
import { removeRedisKeys } from './redis-keys.js';

const dir = await mkdtemp(join(tmpdir(), 'maru-session-flow-'));
after(() => rm(dir, { recursive: true, force: true }));
const redisSkip = await serviceSkip('redis');
const redisPrefix = `maru-test:flow:${randomBytes(6).toString('hex')}:`;
after(async () => {
  if (!redisSkip) await removeRedisKeys(REDIS_URL, redisPrefix);
});

/** Everything a store's backend holds, as text (the files of SQLite, the keys and values of Redis). */
type Dump = () => Promise<string>;

async function dumpRedis(): Promise<string> {
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${redisPrefix}*`);
    const values = await Promise.all(keys.map((key) => redis.type(key).then((type) => (type === 'set' ? redis.smembers(key).then(String) : redis.get(key)))));
    return keys.join('\n') + values.join('\n');
  } finally {
    await redis.quit();
  }
}

const sqliteFile = join(dir, 'sessions.db');
const dumpSqlite: Dump = async () => {
  const files = await Promise.all(['', '-wal'].map((suffix) => readFile(sqliteFile + suffix, 'latin1').catch(() => '')));
  return files.join('');
};

const stores: [string, () => SessionStore, string | false, Dump | undefined][] = [
  ['MemoryStore', () => new MemoryStore(), false, undefined],
  ['SqliteStore', () => new SqliteStore({ database: sqliteFile }), false, dumpSqlite],
  ['RedisStore', () => new RedisStore({ url: REDIS_URL, prefix: redisPrefix }), redisSkip, dumpRedis],
];

/** The `sid=value` of the one session Set-Cookie of a response. */
function sessionCookie(res: Response): string {
  const cookies = res.headers.getSetCookie().filter((c) => c.startsWith('sid='));
  assert.equal(cookies.length, 1, `expected one session Set-Cookie, got ${JSON.stringify(cookies)}`);
  return cookies[0]!.split(';')[0]!;
}

/** The app of these tests: login, visits, regenerate and logout, its sessions in `store`. */
function flowApp(store: SessionStore, idleTimeout: number): App {
  const app = createApp({ log: memoryLogger().log });
  app.use(sessions({ store, idleTimeout, absoluteTimeout: 60_000 }));
  app.get('/me', (ctx) => {
    const { name: who } = ctx.session.data;
    return who === undefined ? ctx.json({ error: 'not logged in' }, 401) : ctx.json({ name: who, visits: ctx.session.data.visits });
  });
  app.post('/login', async (ctx) => {
    const who = ctx.query.get('name') ?? 'kim';
    await ctx.session.regenerate({ owner: who });
    ctx.session.data.name = who;
    ctx.session.data.visits = 0;
    ctx.setCookie('theme', 'dark', { path: '/' });
    return ctx.redirect('/me', 303);
  });
  app.post('/visit', (ctx) => {
    ctx.session.data.visits = Number(ctx.session.data.visits ?? 0) + 1;
    return ctx.empty();
  });
  app.post('/regenerate', async (ctx) => {
    await ctx.session.regenerate();
    return ctx.empty();
  });
  app.post('/logout', async (ctx) => {
    await ctx.session.destroy();
    return ctx.empty();
  });
  app.post('/password-changed', async (ctx) => {
    await ctx.session.regenerate();
    await ctx.session.revokeOthers();
    return ctx.empty();
  });
  app.post('/account-deleted', async (ctx) => {
    await ctx.session.revokeAll();
    return ctx.empty();
  });
  return app;
}

// The stores run side by side: each waits for its own idle timeouts.
describe('sessions over HTTP/1.1', { concurrency: true }, () => {
  for (const [name, makeStore, skip, dump] of stores) {
    describe(`sessions over HTTP/1.1 with ${name}`, { skip }, () => {
      let server: TestServer;
      let store: SessionStore;
      const me = (cookie?: string) => fetch(`${server.url}/me`, cookie === undefined ? {} : { headers: { cookie } });
      const post = (path: string, cookie?: string) => fetch(`${server.url}${path}`, { method: 'POST', redirect: 'manual', ...(cookie === undefined ? {} : { headers: { cookie } }) });

      before(async () => {
        store = makeStore();
        // Idle timeouts are tested on a server of their own below: a short one here would end sessions whenever
        // a loaded machine is slow between two requests of a test.
        server = await serve(flowApp(store, 60_000));
      });
      after(async () => {
        await server?.close();
        await store?.close?.();
      });

      test('an anonymous visitor gets 401 and no cookie', async () => {
        const res = await me();
        assert.equal(res.status, 401);
        assert.deepEqual(res.headers.getSetCookie(), []);
      });

      test('login sets the session cookie beside the app’s own, and the next request sees the session', async () => {
        const res = await post('/login?name=ana');
        assert.equal(res.status, 303);
        const cookies = res.headers.getSetCookie();
        assert.equal(cookies.length, 2);
        assert.equal(cookies[0], 'theme=dark; Path=/');
        assert.match(cookies[1]!, /^sid=[A-Za-z0-9_-]{32}; Path=\/; HttpOnly; SameSite=Lax$/);
        const cookie = cookies[1]!.split(';')[0]!;
        const next = await me(cookie);
        assert.deepEqual(await next.json(), { name: 'ana', visits: 0 });
        assert.deepEqual(next.headers.getSetCookie(), []);
      });

      test('changes are kept from one request to the next', async () => {
        const cookie = sessionCookie(await post('/login'));
        await post('/visit', cookie);
        await post('/visit', cookie);
        assert.deepEqual(await (await me(cookie)).json(), { name: 'kim', visits: 2 });
      });

      test('regenerate changes the id, keeps the data, and the old id stops working', async () => {
        const old = sessionCookie(await post('/login?name=bo'));
        const fresh = sessionCookie(await post('/regenerate', old));
        assert.notEqual(fresh, old);
        assert.deepEqual(await (await me(fresh)).json(), { name: 'bo', visits: 0 });
        assert.equal((await me(old)).status, 401);
      });

      test('logging in again from an existing session ends the old id (no fixation)', async () => {
        const first = sessionCookie(await post('/login?name=cy'));
        const second = sessionCookie(await post('/login?name=cy', first));
        assert.notEqual(second, first);
        assert.equal((await me(first)).status, 401);
        assert.equal((await me(second)).status, 200);
      });

      test('logout ends the session and clears the cookie', async () => {
        const cookie = sessionCookie(await post('/login'));
        const res = await post('/logout', cookie);
        assert.match(res.headers.getSetCookie()[0]!, /^sid=; Max-Age=0;/);
        assert.equal((await me(cookie)).status, 401);
      });

      test('after a password change this browser goes on under a new id and the owner’s other browsers are logged out', async () => {
        const mine = sessionCookie(await post('/login?name=dee'));
        const stolen = sessionCookie(await post('/login?name=dee'));
        const someoneElse = sessionCookie(await post('/login?name=eun'));
        const rotated = sessionCookie(await post('/password-changed', mine));
        assert.notEqual(rotated, mine);
        assert.equal((await me(rotated)).status, 200);
        assert.equal((await me(mine)).status, 401);
        assert.equal((await me(stolen)).status, 401);
        assert.equal((await me(someoneElse)).status, 200);
      });

      test('deleting the account logs out every browser of the owner', async () => {
        const mine = sessionCookie(await post('/login?name=fay'));
        const other = sessionCookie(await post('/login?name=fay'));
        const res = await post('/account-deleted', mine);
        assert.match(res.headers.getSetCookie()[0]!, /^sid=; Max-Age=0;/);
        assert.equal((await me(mine)).status, 401);
        assert.equal((await me(other)).status, 401);
      });

      test('an unknown session cookie is cleared in the reply', async () => {
        const res = await me(`sid=${randomBytes(24).toString('base64url')}`);
        assert.equal(res.status, 401);
        assert.match(res.headers.getSetCookie()[0] ?? '', /^sid=; Max-Age=0;/);
      });

      // A MemoryStore has nothing to read but this process's memory.
      if (dump !== undefined) {
        test('the backend never holds the id a session cookie carries', async () => {
          const cookies = [sessionCookie(await post('/login?name=gil')), sessionCookie(await post('/login?name=gil'))];
          await post('/visit', cookies[0]);
          const held = await dump();
          assert.ok(held.includes('gil'), 'the dump holds the sessions (a sanity check of the dump itself)');
          for (const cookie of cookies) assert.ok(!held.includes(cookie.slice('sid='.length)), `${cookie} found in the backend`);
        });
      }

      test('a forged id is no session', async () => {
        assert.equal((await me(`sid=${randomBytes(24).toString('base64url')}`)).status, 401);
        assert.equal((await me('sid=%00%0d%0a')).status, 401);
      });

      // Real time against the real store: a 2 s idle timeout, sleeps longer than it to see a session end, and
      // requests 600 ms apart (1.4 s to spare each) to see one kept alive past it.
      describe('with a 2 s idle timeout', { concurrency: true }, () => {
        let idleServer: TestServer;
        const meOn = (cookie: string) => fetch(`${idleServer.url}/me`, { headers: { cookie } });
        const login = async () => sessionCookie(await fetch(`${idleServer.url}/login`, { method: 'POST', redirect: 'manual' }));
        before(async () => {
          idleServer = await serve(flowApp(store, 2000));
        });
        after(() => idleServer?.close());

        test('a session idle past idleTimeout has ended', async () => {
          const cookie = await login();
          assert.equal((await meOn(cookie)).status, 200);
          await sleep(2200);
          assert.equal((await meOn(cookie)).status, 401);
        });

        test('a session in use outlives idleTimeout', async () => {
          const cookie = await login();
          for (let i = 0; i < 5; i++) {
            await sleep(600);
            assert.equal((await meOn(cookie)).status, 200, `request ${i + 1}, ${600 * (i + 1)} ms after login`);
          }
        });
      });
    });
  }
});
