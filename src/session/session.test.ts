import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { memoryLogger } from '../../test/logger.js';
import { createApp, type App } from '../app.js';
import { HttpError } from '../errors.js';
import { inject, type InjectResponse } from '../testing/inject.js';
import { newSessionId, sessionKey } from './id.js';
import { MemoryStore } from './memory.js';
import { sessions, type SessionOptions } from './session.js';
import type { SessionStore, StoredSession } from './store.js';

/** A MemoryStore that counts what it is asked, and can be told to fail. */
function countingStore() {
  const inner = new MemoryStore();
  const calls = { get: 0, set: 0, update: 0, destroy: 0, destroyByOwner: 0 };
  let failing = false;
  const guard = () => {
    if (failing) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
  };
  const store: SessionStore = {
    async get(id) {
      calls.get++;
      guard();
      return inner.get(id);
    },
    async set(id, s, ttl) {
      calls.set++;
      guard();
      return inner.set(id, s, ttl);
    },
    async update(id, s, ttl) {
      calls.update++;
      guard();
      return inner.update(id, s, ttl);
    },
    async destroy(id) {
      calls.destroy++;
      guard();
      return inner.destroy(id);
    },
    async destroyByOwner(owner, exceptId) {
      calls.destroyByOwner++;
      guard();
      return inner.destroyByOwner(owner, exceptId);
    },
  };
  return {
    store,
    inner,
    calls,
    fail(value: boolean) {
      failing = value;
    },
    reset() {
      for (const key of Object.keys(calls) as (keyof typeof calls)[]) calls[key] = 0;
    },
  };
}

function buildApp(store: SessionStore, options: Partial<SessionOptions> = {}): App {
  const app = createApp({ log: memoryLogger().log });
  app.use(sessions({ store, ...options }));
  app.get('/public', (ctx) => ctx.text('hello'));
  app.get('/peek', (ctx) => ctx.json({ name: ctx.session.data.name ?? null, isNew: ctx.session.isNew }));
  app.post('/login', async (ctx) => {
    await ctx.session.regenerate();
    ctx.session.data.name = ctx.query.get('name') ?? 'kim';
    return ctx.json({ id: ctx.session.id });
  });
  app.post('/set', (ctx) => {
    ctx.session.data.name = ctx.query.get('name') ?? 'kim';
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
  app.post('/login-as', async (ctx) => {
    await ctx.session.regenerate({ owner: ctx.query.get('owner')! });
    ctx.session.data.name = ctx.query.get('owner')!;
    return ctx.json({ id: ctx.session.id });
  });
  app.post('/revoke-others', async (ctx) => ctx.json({ ended: await ctx.session.revokeOthers() }));
  app.post('/rotate-and-revoke', async (ctx) => {
    await ctx.session.regenerate();
    return ctx.json({ ended: await ctx.session.revokeOthers() });
  });
  app.post('/revoke-all', async (ctx) => ctx.json({ ended: await ctx.session.revokeAll() }));
  app.get('/owner', (ctx) => ctx.json({ owner: ctx.session.owner ?? null }));
  app.get('/need-login', (ctx) => {
    if (ctx.session.data.name === undefined) throw new HttpError(401, 'NOT_LOGGED_IN', 'log in first', { headers: { 'www-authenticate': 'Cookie' } });
    return ctx.text('in');
  });
  app.post('/logout-then-fail', async (ctx) => {
    await ctx.session.destroy();
    throw new HttpError(409, 'CONFLICT', 'failed after logging out');
  });
  app.post('/fail', (ctx) => {
    ctx.session.data.name = 'never saved';
    throw new Error('handler failed');
  });
  return app;
}

function cookieOf(res: InjectResponse): string {
  const header = res.headers['set-cookie'];
  assert.ok(Array.isArray(header) && header.length === 1, `expected one Set-Cookie, got ${JSON.stringify(header)}`);
  return header[0]!.split(';')[0]!;
}

test('a visitor without a session cookie costs the store nothing and gets no cookie', async () => {
  const { store, calls } = countingStore();
  const app = buildApp(store);
  for (const url of ['/public', '/peek']) {
    const res = await inject(app, { url });
    assert.equal(res.status, 200);
    assert.equal(res.headers['set-cookie'], undefined);
  }
  assert.deepEqual(calls, { get: 0, set: 0, update: 0, destroy: 0, destroyByOwner: 0 });
});

test('putting data in a new session stores it once and sets an HttpOnly, SameSite=Lax, Path=/ cookie', async () => {
  const { store, calls } = countingStore();
  const res = await inject(buildApp(store), { method: 'POST', url: '/set' });
  assert.equal(res.status, 204);
  const header = res.headers['set-cookie']![0]!;
  assert.match(header, /^sid=[A-Za-z0-9_-]{32}; Path=\/; HttpOnly; SameSite=Lax$/);
  assert.deepEqual(calls, { get: 0, set: 1, update: 0, destroy: 0, destroyByOwner: 0 });
});

test('the cookie is Secure when the request came over TLS, or when configured', async () => {
  const auto = await inject(buildApp(countingStore().store), { method: 'POST', url: '/set', secure: true });
  assert.match(auto.headers['set-cookie']![0]!, /; Secure/);
  const forced = await inject(buildApp(countingStore().store, { secure: true }), { method: 'POST', url: '/set' });
  assert.match(forced.headers['set-cookie']![0]!, /; Secure/);
  const never = await inject(buildApp(countingStore().store, { secure: false }), { method: 'POST', url: '/set', secure: true });
  assert.doesNotMatch(never.headers['set-cookie']![0]!, /Secure/);
});

test('a __Host- session cookie is Secure, Path=/, without Domain', async () => {
  const res = await inject(buildApp(countingStore().store, { cookieName: '__Host-sid', secure: true }), { method: 'POST', url: '/set' });
  assert.match(res.headers['set-cookie']![0]!, /^__Host-sid=[A-Za-z0-9_-]{32}; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
});

test('cookie name, sameSite, domain and path are configurable', async () => {
  const app = buildApp(countingStore().store, { cookieName: 'maru.sid', sameSite: 'strict', domain: 'example.com', path: '/app' });
  const res = await inject(app, { method: 'POST', url: '/set' });
  assert.match(res.headers['set-cookie']![0]!, /^maru\.sid=[A-Za-z0-9_-]{32}; Domain=example\.com; Path=\/app; HttpOnly; SameSite=Strict$/);
});

test('the next request sees the session with one store read and no write', async () => {
  const { store, calls, reset } = countingStore();
  const app = buildApp(store);
  const cookie = cookieOf(await inject(app, { method: 'POST', url: '/set?name=ana' }));
  reset();
  const res = await inject(app, { url: '/peek', headers: { cookie } });
  assert.deepEqual(res.json(), { name: 'ana', isNew: false });
  assert.equal(res.headers['set-cookie'], undefined);
  assert.deepEqual(calls, { get: 1, set: 0, update: 0, destroy: 0, destroyByOwner: 0 });
});

test('a changed session is written once, with no new cookie', async () => {
  const { store, calls, reset } = countingStore();
  const app = buildApp(store);
  const cookie = cookieOf(await inject(app, { method: 'POST', url: '/set?name=ana' }));
  reset();
  const res = await inject(app, { method: 'POST', url: '/set?name=bo', headers: { cookie } });
  assert.equal(res.headers['set-cookie'], undefined);
  assert.deepEqual(calls, { get: 1, set: 0, update: 1, destroy: 0, destroyByOwner: 0 });
  assert.deepEqual((await inject(app, { url: '/peek', headers: { cookie } })).json(), { name: 'bo', isNew: false });
});

test('setting a value to what it already was writes nothing', async () => {
  const { store, calls, reset } = countingStore();
  const app = buildApp(store);
  const cookie = cookieOf(await inject(app, { method: 'POST', url: '/set?name=ana' }));
  reset();
  await inject(app, { method: 'POST', url: '/set?name=ana', headers: { cookie } });
  assert.equal(calls.update + calls.set, 0);
});

for (const value of ['x', 'a'.repeat(31), `${'a'.repeat(31)}%`, '../../etc/passwd', `${'a'.repeat(32)}; b`]) {
  test(`a malformed session cookie (${JSON.stringify(value)}) never reaches the store`, async () => {
    const { store, calls } = countingStore();
    const res = await inject(buildApp(store), { url: '/peek', headers: { cookie: `sid=${encodeURIComponent(value)}` } });
    assert.deepEqual(res.json(), { name: null, isNew: true });
    assert.equal(calls.get, 0);
  });
}

test('an unknown id is no session, and is never adopted: a new session gets a fresh id (no fixation)', async () => {
  const { store } = countingStore();
  const app = buildApp(store);
  const planted = newSessionId();
  const peek = await inject(app, { url: '/peek', headers: { cookie: `sid=${planted}` } });
  assert.deepEqual(peek.json(), { name: null, isNew: true });
  const res = await inject(app, { method: 'POST', url: '/set', headers: { cookie: `sid=${planted}` } });
  const cookie = cookieOf(res);
  assert.notEqual(cookie, `sid=${planted}`);
  assert.equal(await store.get(sessionKey(planted)), undefined);
});

test('regenerate gives a new id with the same data, and the old id stops working', async () => {
  const { store } = countingStore();
  const app = buildApp(store);
  const old = cookieOf(await inject(app, { method: 'POST', url: '/set?name=ana' }));
  const fresh = cookieOf(await inject(app, { method: 'POST', url: '/regenerate', headers: { cookie: old } }));
  assert.notEqual(fresh, old);
  assert.deepEqual((await inject(app, { url: '/peek', headers: { cookie: fresh } })).json(), { name: 'ana', isNew: false });
  assert.deepEqual((await inject(app, { url: '/peek', headers: { cookie: old } })).json(), { name: null, isNew: true });
});

test('login (regenerate, then data) on a visitor without a session creates one session', async () => {
  const { store, calls } = countingStore();
  const res = await inject(buildApp(store), { method: 'POST', url: '/login?name=kim' });
  const { id } = res.json<{ id: string }>();
  assert.equal(cookieOf(res), `sid=${id}`);
  assert.deepEqual(calls, { get: 0, set: 1, update: 0, destroy: 0, destroyByOwner: 0 });
});

test('destroy deletes the record and clears the cookie', async () => {
  const { store } = countingStore();
  const app = buildApp(store);
  const cookie = cookieOf(await inject(app, { method: 'POST', url: '/set?name=ana' }));
  const id = cookie.slice('sid='.length);
  const res = await inject(app, { method: 'POST', url: '/logout', headers: { cookie } });
  assert.match(res.headers['set-cookie']![0]!, /^sid=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/);
  assert.equal(await store.get(sessionKey(id)), undefined);
  assert.deepEqual((await inject(app, { url: '/peek', headers: { cookie } })).json(), { name: null, isNew: true });
});

/** Stops the clock the middleware and MemoryStore read (Date.now), so timeouts are a matter of tick(), not of sleeping. */
function frozenClock(t: TestContext): (ms: number) => void {
  t.mock.timers.enable({ apis: ['Date'], now: 1_700_000_000_000 });
  return (ms) => t.mock.timers.tick(ms);
}

test('a session idle for longer than idleTimeout is gone', async (t) => {
  const tick = frozenClock(t);
  const { store } = countingStore();
  const app = buildApp(store, { idleTimeout: 60_000, absoluteTimeout: 3_600_000 });
  const cookie = cookieOf(await inject(app, { method: 'POST', url: '/set?name=ana' }));
  tick(59_999);
  assert.deepEqual((await inject(app, { url: '/peek', headers: { cookie } })).json(), { name: 'ana', isNew: false });
  tick(60_001);
  assert.deepEqual((await inject(app, { url: '/peek', headers: { cookie } })).json(), { name: null, isNew: true });
});

test('the idle timeout is enforced from the last refresh even when the store still has the record', async (t) => {
  frozenClock(t);
  const { store, inner, calls } = countingStore();
  const app = buildApp(store, { idleTimeout: 60_000, absoluteTimeout: 3_600_000 });
  const now = Date.now();
  // Two records the store keeps for an hour: one refreshed just within the idle timeout, one just past it.
  const [fresh, idle] = [newSessionId(), newSessionId()];
  await inner.set(sessionKey(fresh), { data: { name: 'fresh' }, createdAt: now - 120_000, touchedAt: now - 59_999 }, 3_600_000);
  await inner.set(sessionKey(idle), { data: { name: 'idle' }, createdAt: now - 120_000, touchedAt: now - 60_000 }, 3_600_000);
  assert.deepEqual((await inject(app, { url: '/peek', headers: { cookie: `sid=${fresh}` } })).json(), { name: 'fresh', isNew: false });
  assert.deepEqual((await inject(app, { url: '/peek', headers: { cookie: `sid=${idle}` } })).json(), { name: null, isNew: true });
  assert.equal(calls.destroy, 1, 'the idle record is destroyed');
  assert.equal(await inner.get(sessionKey(idle)), undefined);
  assert.ok(await inner.get(sessionKey(fresh)));
});

test('the absolute timeout is enforced from createdAt even when the store still has the record', async (t) => {
  frozenClock(t);
  const { store, inner, calls } = countingStore();
  const app = buildApp(store, { idleTimeout: 60_000, absoluteTimeout: 3_600_000 });
  const id = newSessionId();
  const now = Date.now();
  await inner.set(sessionKey(id), { data: { name: 'old' }, createdAt: now - 3_600_001, touchedAt: now }, 60_000);
  assert.deepEqual((await inject(app, { url: '/peek', headers: { cookie: `sid=${id}` } })).json(), { name: null, isNew: true });
  assert.equal(calls.destroy, 1, 'the expired record is destroyed');
  assert.equal(await inner.get(sessionKey(id)), undefined);
});

test('activity refreshes the idle timeout lazily: only once a tenth of it has passed', async (t) => {
  const tick = frozenClock(t);
  const { store, calls, reset } = countingStore();
  const app = buildApp(store, { idleTimeout: 1000 });
  const cookie = cookieOf(await inject(app, { method: 'POST', url: '/set' }));
  reset();
  tick(100);
  await inject(app, { url: '/peek', headers: { cookie } });
  assert.equal(calls.update, 0);
  tick(1);
  await inject(app, { url: '/peek', headers: { cookie } });
  assert.equal(calls.update, 1);
  await inject(app, { url: '/peek', headers: { cookie } });
  assert.equal(calls.update, 1);
});

test('a session kept active by reads outlives idleTimeout when rolling, and not when rolling is off', async (t) => {
  const tick = frozenClock(t);
  for (const rolling of [true, false]) {
    const app = buildApp(countingStore().store, { idleTimeout: 200, rolling });
    const cookie = cookieOf(await inject(app, { method: 'POST', url: '/set?name=ana' }));
    for (let i = 0; i < 5; i++) {
      tick(60);
      await inject(app, { url: '/peek', headers: { cookie } });
    }
    const name = (await inject(app, { url: '/peek', headers: { cookie } })).json<{ name: string | null }>().name;
    assert.equal(name, rolling ? 'ana' : null, `rolling: ${rolling}`);
  }
});

test('a handler that throws saves nothing', async () => {
  const { store, calls } = countingStore();
  const res = await inject(buildApp(store), { method: 'POST', url: '/fail' });
  assert.equal(res.status, 500);
  assert.equal(res.headers['set-cookie'], undefined);
  assert.equal(calls.set, 0);
});

test('when the store fails, a request that uses the session gets 503 with Retry-After; others still work', async () => {
  const { store, fail } = countingStore();
  const app = buildApp(store, { retryAfter: 3 });
  const cookie = cookieOf(await inject(app, { method: 'POST', url: '/set?name=ana' }));
  fail(true);
  const down = await inject(app, { url: '/peek', headers: { cookie } });
  assert.equal(down.status, 503);
  assert.equal(down.headers['retry-after'], '3');
  assert.equal(down.json<{ error: { code: string; message: string } }>().error.code, 'SESSION_STORE_UNAVAILABLE');
  assert.match(down.json<{ error: { message: string } }>().error.message, /session store/);
  assert.equal((await inject(app, { url: '/public', headers: { cookie } })).status, 200);
  const login = await inject(app, { method: 'POST', url: '/set' });
  assert.equal(login.status, 503);
  assert.equal(login.headers['set-cookie'], undefined);
  fail(false);
  assert.deepEqual((await inject(app, { url: '/peek', headers: { cookie } })).json(), { name: 'ana', isNew: false });
});

test('a failed idle refresh does not fail the request', async (t) => {
  const tick = frozenClock(t);
  const counting = countingStore();
  const app = buildApp(counting.store, { idleTimeout: 100 });
  const cookie = cookieOf(await inject(app, { method: 'POST', url: '/set?name=ana' }));
  tick(20);
  let refreshes = 0;
  const failingUpdate: SessionStore = { ...counting.store, update: async () => (refreshes++, Promise.reject(new Error('down'))) };
  const res = await inject(buildApp(failingUpdate, { idleTimeout: 100 }), { url: '/peek', headers: { cookie } });
  assert.equal(res.status, 200);
  assert.equal(refreshes, 1, 'the refresh was tried');
});

const bad: [string, Partial<SessionOptions>, RegExp][] = [
  ['no store', { store: undefined as unknown as SessionStore }, /option store must be a SessionStore/],
  [
    'a store without destroyByOwner',
    { store: { get: async () => undefined, set: async () => {}, update: async () => false, destroy: async () => {} } as unknown as SessionStore },
    /option store must be a SessionStore \(get, set, update, destroy, destroyByOwner\)/,
  ],
  ['an idleTimeout of 0', { idleTimeout: 0 }, /option idleTimeout must be a positive integer, got 0/],
  ['an absoluteTimeout shorter than idleTimeout', { idleTimeout: 2000, absoluteTimeout: 1000 }, /option absoluteTimeout \(1000\) must not be shorter than idleTimeout/],
  ['a sameSite that is not a SameSite value', { sameSite: 'loose' as 'lax' }, /option sameSite must be/],
  ["sameSite 'none' without secure: true", { sameSite: 'none' }, /option sameSite 'none' needs secure: true/],
  ['a cookie name with a space', { cookieName: 'my sid' }, /cookieName/],
  ['a __Host- cookie name without secure: true', { cookieName: '__Host-sid' }, /option cookieName __Host-sid needs secure: true/],
  ['a __Host- cookie name with a domain', { cookieName: '__Host-sid', secure: true, domain: 'example.com' }, /needs path '\/' and no domain/],
  ['a __Secure- cookie name without secure: true', { cookieName: '__Secure-sid', secure: 'auto' }, /needs secure: true/],
  ['a rolling that is not a boolean', { rolling: 'yes' as unknown as boolean }, /option rolling must be a boolean/],
];

for (const [what, options, message] of bad) {
  test(`sessions() throws a TypeError at set-up for ${what}`, () => {
    assert.throws(() => sessions({ store: new MemoryStore(), ...options }), (err: unknown) => err instanceof TypeError && message.test(err.message));
  });
}

test('ctx.session keeps typed data: a record read back equals what was stored', async () => {
  const { store, inner } = countingStore();
  const app = buildApp(store);
  const cookie = cookieOf(await inject(app, { method: 'POST', url: '/set?name=Zoë' }));
  const stored = (await inner.get(sessionKey(cookie.slice(4)))) as StoredSession;
  assert.deepEqual(stored.data, { name: 'Zoë' });
  assert.ok(stored.createdAt <= Date.now() && stored.createdAt === stored.touchedAt);
});

test('the store keys a session by the SHA-256 of its id, never by the id the cookie carries', async () => {
  const { store, inner } = countingStore();
  const cookie = cookieOf(await inject(buildApp(store), { method: 'POST', url: '/set?name=ana' }));
  const id = cookie.slice('sid='.length);
  assert.equal(await inner.get(id), undefined);
  assert.deepEqual((await inner.get(sessionKey(id)))?.data, { name: 'ana' });
  assert.match(sessionKey(id), /^[A-Za-z0-9_-]{43}$/);
});

test('a record stored under the raw id (as before ids were hashed) is no session', async () => {
  const { store, inner } = countingStore();
  const id = newSessionId();
  await inner.set(id, { data: { name: 'old' }, createdAt: Date.now(), touchedAt: Date.now() }, 60_000);
  const res = await inject(buildApp(store), { url: '/peek', headers: { cookie: `sid=${id}` } });
  assert.deepEqual(res.json(), { name: null, isNew: true });
});

const CLEARED = /^sid=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/;

test('an unknown session cookie is cleared in the reply', async () => {
  const res = await inject(buildApp(countingStore().store), { url: '/peek', headers: { cookie: `sid=${newSessionId()}` } });
  assert.equal(res.status, 200);
  assert.equal(res.headers['set-cookie']?.length, 1);
  assert.match(res.headers['set-cookie']![0]!, CLEARED);
});

test('an expired session cookie is cleared in the reply', async (t) => {
  const tick = frozenClock(t);
  const app = buildApp(countingStore().store, { idleTimeout: 50, absoluteTimeout: 10_000 });
  const cookie = cookieOf(await inject(app, { method: 'POST', url: '/set?name=ana' }));
  tick(120);
  const res = await inject(app, { url: '/public', headers: { cookie } });
  assert.equal(res.status, 200);
  assert.match(res.headers['set-cookie']![0]!, CLEARED);
});

test('an unknown session cookie is cleared in an error reply too: a 401, a 404', async () => {
  const app = buildApp(countingStore().store);
  const cookie = `sid=${newSessionId()}`;
  const unauthorized = await inject(app, { url: '/need-login', headers: { cookie } });
  assert.equal(unauthorized.status, 401);
  assert.equal(unauthorized.headers['www-authenticate'], 'Cookie', 'the error keeps its own headers');
  assert.deepEqual(unauthorized.json(), { error: { code: 'NOT_LOGGED_IN', message: 'log in first' } });
  assert.match(unauthorized.headers['set-cookie']![0]!, CLEARED);
  const missing = await inject(app, { url: '/nowhere', headers: { cookie } });
  assert.equal(missing.status, 404);
  assert.match(missing.headers['set-cookie']![0]!, CLEARED);
});

test('a cookie destroyed by a request that then fails is cleared; a live one in an error reply is not', async () => {
  const app = buildApp(countingStore().store);
  const cookie = cookieOf(await inject(app, { method: 'POST', url: '/set?name=ana' }));
  const live = await inject(app, { url: '/nowhere', headers: { cookie } });
  assert.equal(live.status, 404);
  assert.equal(live.headers['set-cookie'], undefined);
  const failed = await inject(app, { method: 'POST', url: '/logout-then-fail', headers: { cookie } });
  assert.equal(failed.status, 409);
  assert.match(failed.headers['set-cookie']![0]!, CLEARED);
  assert.deepEqual((await inject(app, { url: '/peek', headers: { cookie } })).json(), { name: null, isNew: true });
});

test('a fault (a 500) is left as thrown, without a cookie header', async () => {
  const res = await inject(buildApp(countingStore().store), { method: 'POST', url: '/fail', headers: { cookie: `sid=${newSessionId()}` } });
  assert.equal(res.status, 500);
  assert.equal(res.headers['set-cookie'], undefined);
});

test('a live session cookie is not cleared, and a request without a cookie gets none', async () => {
  const app = buildApp(countingStore().store);
  const cookie = cookieOf(await inject(app, { method: 'POST', url: '/set?name=ana' }));
  assert.equal((await inject(app, { url: '/peek', headers: { cookie } })).headers['set-cookie'], undefined);
  assert.equal((await inject(app, { url: '/peek' })).headers['set-cookie'], undefined);
});

test('a session cookie is not cleared when the store fails to answer', async () => {
  const { store, fail } = countingStore();
  const app = buildApp(store);
  fail(true);
  const res = await inject(app, { url: '/public', headers: { cookie: `sid=${newSessionId()}` } });
  assert.equal(res.status, 200);
  assert.equal(res.headers['set-cookie'], undefined);
});

test('an unknown session cookie replaced by a new session gets the new cookie only', async () => {
  const res = await inject(buildApp(countingStore().store), { method: 'POST', url: '/set', headers: { cookie: `sid=${newSessionId()}` } });
  assert.match(cookieOf(res), /^sid=[A-Za-z0-9_-]{32}$/);
});

/** Logs `owner` in from a fresh "browser"; resolves to that browser's cookie. */
async function loginAs(app: App, owner: string): Promise<string> {
  return cookieOf(await inject(app, { method: 'POST', url: `/login-as?owner=${owner}` }));
}

const peekName = async (app: App, cookie: string) => (await inject(app, { url: '/peek', headers: { cookie } })).json<{ name: string | null }>().name;

test('regenerate({ owner }) stores the owner with the session, and ctx.session.owner reads it back', async () => {
  const { store, inner } = countingStore();
  const app = buildApp(store);
  const cookie = await loginAs(app, 'member-1');
  assert.equal((await inner.get(sessionKey(cookie.slice(4))))?.owner, 'member-1');
  assert.deepEqual((await inject(app, { url: '/owner', headers: { cookie } })).json(), { owner: 'member-1' });
});

test('regenerate without an owner keeps the owner the session had', async () => {
  const { store } = countingStore();
  const app = buildApp(store);
  const cookie = cookieOf(await inject(app, { method: 'POST', url: '/regenerate', headers: { cookie: await loginAs(app, 'member-1') } }));
  assert.deepEqual((await inject(app, { url: '/owner', headers: { cookie } })).json(), { owner: 'member-1' });
});

test('revokeOthers ends the other sessions of the owner, keeps this one and other owners’ sessions', async () => {
  const { store } = countingStore();
  const app = buildApp(store);
  const [mine, stolen, elsewhere, someoneElse] = [
    await loginAs(app, 'member-1'),
    await loginAs(app, 'member-1'),
    await loginAs(app, 'member-1'),
    await loginAs(app, 'member-2'),
  ];
  const res = await inject(app, { method: 'POST', url: '/revoke-others', headers: { cookie: mine } });
  assert.deepEqual(res.json(), { ended: 2 });
  assert.equal(await peekName(app, mine), 'member-1');
  assert.equal(await peekName(app, stolen), null);
  assert.equal(await peekName(app, elsewhere), null);
  assert.equal(await peekName(app, someoneElse), 'member-2');
});

test('regenerate then revokeOthers moves this session to a new id and ends every other one', async () => {
  const { store } = countingStore();
  const app = buildApp(store);
  const mine = await loginAs(app, 'member-1');
  const stolen = await loginAs(app, 'member-1');
  const res = await inject(app, { method: 'POST', url: '/rotate-and-revoke', headers: { cookie: mine } });
  assert.deepEqual(res.json(), { ended: 1 });
  const rotated = cookieOf(res);
  assert.notEqual(rotated, mine);
  assert.equal(await peekName(app, rotated), 'member-1');
  assert.equal(await peekName(app, mine), null);
  assert.equal(await peekName(app, stolen), null);
  assert.deepEqual((await inject(app, { url: '/owner', headers: { cookie: rotated } })).json(), { owner: 'member-1' });
});

test('revokeAll ends every session of the owner, this one included, and clears the cookie', async () => {
  const { store } = countingStore();
  const app = buildApp(store);
  const mine = await loginAs(app, 'member-1');
  const other = await loginAs(app, 'member-1');
  const someoneElse = await loginAs(app, 'member-2');
  const res = await inject(app, { method: 'POST', url: '/revoke-all', headers: { cookie: mine } });
  assert.deepEqual(res.json(), { ended: 1 });
  assert.match(res.headers['set-cookie']![0]!, CLEARED);
  assert.equal(await peekName(app, mine), null);
  assert.equal(await peekName(app, other), null);
  assert.equal(await peekName(app, someoneElse), 'member-2');
});

test('revokeOthers on an anonymous session ends nothing and asks the store nothing', async () => {
  const { store, calls } = countingStore();
  const app = buildApp(store);
  const cookie = cookieOf(await inject(app, { method: 'POST', url: '/set?name=ana' }));
  await loginAs(app, 'member-1');
  const res = await inject(app, { method: 'POST', url: '/revoke-others', headers: { cookie } });
  assert.deepEqual(res.json(), { ended: 0 });
  assert.equal(calls.destroyByOwner, 0);
});

test('regenerate refuses an owner that is not a non-empty string', async () => {
  const app = createApp({ log: memoryLogger().log });
  app.use(sessions({ store: new MemoryStore() }));
  const errors: unknown[] = [];
  app.post('/bad', async (ctx) => {
    for (const owner of ['', 42]) await ctx.session.regenerate({ owner: owner as string }).catch((err: unknown) => errors.push(err));
    return ctx.empty();
  });
  await inject(app, { method: 'POST', url: '/bad' });
  assert.equal(errors.length, 2);
  assert.ok(errors.every((err) => err instanceof TypeError && /owner must be a non-empty string/.test(err.message)));
});

test('ctx.session says where a session would come from when no middleware gave one', async () => {
  const app = createApp({ log: memoryLogger().log });
  app.get('/', (ctx) => {
    assert.equal(ctx.hasSession, false);
    assert.throws(() => ctx.session, /sessions\(\) middleware/);
    return ctx.text('ok');
  });
  assert.equal((await inject(app, { url: '/' })).status, 200);
  assert.equal((await inject(buildApp(countingStore().store), { url: '/peek' })).status, 200, 'with the middleware, a session is there');
});
