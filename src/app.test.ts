import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { test } from 'node:test';
import { memoryLogger } from '../test/logger.js';
import { createApp, type App } from './app.js';
import { HttpError } from './errors.js';
import type { FinishedRequest } from './observe.js';
import { inject } from './testing/inject.js';

function appWith(setup: (app: App) => void, level = 'info') {
  const logger = memoryLogger(level);
  const app = createApp({ log: logger.log });
  setup(app);
  return { app, lines: logger.lines };
}

test('answers a thrown HttpError with its status, code, message and headers', async () => {
  const { app } = appWith((a) =>
    a.get('/busy', () => {
      throw new HttpError(429, 'SLOW_DOWN', 'too many requests', { headers: { 'retry-after': '3' } });
    }),
  );
  const res = await inject(app, { url: '/busy' });
  assert.equal(res.status, 429);
  assert.equal(res.headers['retry-after'], '3');
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
  assert.deepEqual(res.json(), { error: { code: 'SLOW_DOWN', message: 'too many requests' } });
});

test('hides the message of a 5xx HttpError unless it is exposed', async () => {
  const { app } = appWith((a) => {
    a.get('/hidden', () => {
      throw new HttpError(502, 'UPSTREAM', 'db at 10.0.0.3 refused');
    });
    a.get('/shown', () => {
      throw new HttpError(503, 'MAINTENANCE', 'back in 5 minutes', { expose: true });
    });
  });
  assert.deepEqual((await inject(app, { url: '/hidden' })).json(), { error: { code: 'UPSTREAM', message: 'Internal Server Error' } });
  assert.deepEqual((await inject(app, { url: '/shown' })).json(), { error: { code: 'MAINTENANCE', message: 'back in 5 minutes' } });
});

test('answers a thrown plain Error with a generic 500 that carries the request id and no stack', async () => {
  const { app, lines } = appWith((a) =>
    a.get('/boom', async () => {
      throw new Error('secret detail at /srv/app.js:12');
    }),
  );
  const res = await inject(app, { url: '/boom', headers: { 'x-request-id': 'req-abc' } });
  assert.equal(res.status, 500);
  assert.deepEqual(res.json(), { error: { code: 'INTERNAL', message: 'Internal Server Error', requestId: 'req-abc' } });
  assert.doesNotMatch(res.body, /secret|srv|at /);
  const logged = lines().find((line) => line.level === 50);
  assert.ok(logged, 'the error is logged');
  assert.equal(logged.reqId, 'req-abc');
  assert.match(JSON.stringify(logged.err), /secret detail/);
});

test('answers a synchronous throw the same as an async one', async () => {
  const { app } = appWith((a) =>
    a.get('/boom', () => {
      throw new TypeError('x');
    }),
  );
  const res = await inject(app, { url: '/boom' });
  assert.equal(res.status, 500);
  assert.equal((res.json() as { error: { code: string } }).error.code, 'INTERNAL');
});

test('answers a throw of a non-Error value with a generic 500', async () => {
  const { app } = appWith((a) =>
    a.get('/boom', () => {
      throw 'just a string'; // eslint-disable-line no-throw-literal
    }),
  );
  const res = await inject(app, { url: '/boom' });
  assert.equal(res.status, 500);
  assert.doesNotMatch(res.body, /just a string/);
});

test('answers 500 when a handler returns nothing', async () => {
  const { app, lines } = appWith((a) => {
    a.get('/sync', (() => undefined) as never);
    a.get('/async', (async () => {}) as never);
  });
  for (const url of ['/sync', '/async']) {
    const res = await inject(app, { url });
    assert.equal(res.status, 500, url);
  }
  assert.equal(lines().filter((line) => line.level === 50 && /returned no reply/.test(JSON.stringify(line.err))).length, 2);
});

test('drops extra headers set before a throw', async () => {
  const { app } = appWith((a) =>
    a.get('/half', (ctx) => {
      ctx.header('x-secret', 'yes');
      ctx.setCookie('sid', 'abc');
      throw new HttpError(400, 'BAD', 'no');
    }),
  );
  const res = await inject(app, { url: '/half' });
  assert.equal(res.status, 400);
  assert.equal(res.headers['x-secret'], undefined);
  assert.equal(res.headers['set-cookie'], undefined);
});

test('merges extra headers into the reply, set-cookie appended to the reply\'s own', async () => {
  const { app } = appWith((a) =>
    a.get('/x', (ctx) => {
      ctx.setCookie('a', '1');
      ctx.header('cache-control', 'no-store');
      const reply = ctx.text('x');
      return { ...reply, headers: { ...reply.headers, 'set-cookie': 'b=2', 'cache-control': 'public' } };
    }),
  );
  const res = await inject(app, { url: '/x' });
  assert.deepEqual(res.headers['set-cookie'], ['b=2', 'a=1']);
  assert.equal(res.headers['cache-control'], 'no-store');
});

test('runs middleware in order around the handler', async () => {
  const order: string[] = [];
  const { app } = appWith((a) => {
    a.use(async (ctx, next) => {
      order.push('a in');
      const reply = await next();
      order.push('a out');
      return { ...reply, headers: { ...reply.headers, 'x-a': '1' } };
    });
    a.use((ctx, next) => {
      order.push('b');
      return next();
    });
    a.get('/', (ctx) => {
      order.push('handler');
      return ctx.text('ok');
    });
  });
  const res = await inject(app, { url: '/' });
  assert.equal(res.headers['x-a'], '1');
  assert.deepEqual(order, ['a in', 'b', 'handler', 'a out']);
});

test('lets middleware answer without calling next', async () => {
  let reached = false;
  const { app } = appWith((a) => {
    a.use((ctx) => ctx.text('stop', 403));
    a.get('/', (ctx) => ((reached = true), ctx.text('ok')));
  });
  const res = await inject(app, { url: '/' });
  assert.equal(res.status, 403);
  assert.equal(reached, false);
});

test('lets middleware turn a thrown error into its own reply', async () => {
  const { app } = appWith((a) => {
    a.use(async (ctx, next) => {
      try {
        return await next();
      } catch (err) {
        return ctx.text(`caught ${(err as HttpError).code}`, 418);
      }
    });
    a.get('/', () => {
      throw new HttpError(400, 'NOPE', 'no');
    });
  });
  const res = await inject(app, { url: '/' });
  assert.equal(res.status, 418);
  assert.equal(res.body, 'caught NOPE');
});

test('writes one response and runs the handler once when a middleware calls next() twice', async () => {
  let calls = 0;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const { app } = appWith((a) => {
      a.use(async (ctx, next) => {
        const first = next();
        void next(); // the bug: a second call whose failure nobody awaits
        return first;
      });
      a.use(async (ctx, next) => {
        await next();
        return next();
      });
      a.get('/', (ctx) => ((calls += 1), ctx.text('ok')));
    });
    const res = await inject(app, { url: '/' });
    assert.equal(res.status, 500);
    assert.equal(calls, 1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('answers 404 with a JSON error for an unknown path', async () => {
  const { app } = appWith((a) => a.get('/', (ctx) => ctx.text('ok')));
  const res = await inject(app, { url: '/nope' });
  assert.equal(res.status, 404);
  assert.deepEqual(res.json(), { error: { code: 'NOT_FOUND', message: 'no such resource' } });
});

test('answers 405 with Allow when the path has other methods', async () => {
  const { app } = appWith((a) => a.route('/items').get((ctx) => ctx.text('list')).post((ctx) => ctx.text('made', 201)));
  const res = await inject(app, { method: 'DELETE', url: '/items' });
  assert.equal(res.status, 405);
  assert.equal(res.headers.allow, 'GET, HEAD, OPTIONS, POST');
  assert.equal((res.json() as { error: { code: string } }).error.code, 'METHOD_NOT_ALLOWED');
});

test('answers OPTIONS with 204 and Allow, with no body', async () => {
  const { app } = appWith((a) => a.get('/items/:id', (ctx) => ctx.text('x')).put('/items/:id', (ctx) => ctx.text('x')));
  const res = await inject(app, { method: 'OPTIONS', url: '/items/3' });
  assert.equal(res.status, 204);
  assert.equal(res.headers.allow, 'GET, HEAD, OPTIONS, PUT');
  assert.equal(res.body, '');
});

test('answers HEAD with the GET route\'s status and headers but no body', async () => {
  const { app } = appWith((a) => a.get('/hello', (ctx) => ctx.text('Hello Node!')));
  const res = await inject(app, { method: 'HEAD', url: '/hello' });
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-length'], '11');
  assert.equal(res.body, '');
});

test('routes any method with on() and several with route()', async () => {
  const { app } = appWith((a) => {
    a.on('PROPFIND', '/dav/*', (ctx) => ctx.text(`dav ${ctx.params['*']}`, 207));
    a.route('/r').patch((ctx) => ctx.text('patched')).delete((ctx) => ctx.empty());
  });
  assert.equal((await inject(app, { method: 'PROPFIND', url: '/dav/a/b' })).body, 'dav a/b');
  assert.equal((await inject(app, { method: 'PATCH', url: '/r' })).body, 'patched');
  assert.equal((await inject(app, { method: 'DELETE', url: '/r' })).status, 204);
});

test('refuses routes and middleware added after the first request', async () => {
  const { app } = appWith((a) => a.get('/', (ctx) => ctx.text('ok')));
  await inject(app, { url: '/' });
  assert.throws(() => app.get('/late', (ctx) => ctx.text('x')), /before the app handles its first request/);
  assert.throws(() => app.use((ctx, next) => next()), /before the app handles its first request/);
});

test('validates options and handlers at set-up', () => {
  assert.throws(() => createApp({ log: memoryLogger().log, bodyLimit: -1 }), /option bodyLimit must be a non-negative integer, got -1/);
  assert.throws(() => createApp({ log: memoryLogger().log, bodyLimit: 1.5 }), TypeError);
  const { app } = appWith(() => {});
  assert.throws(() => app.get('/x', { bodyLimit: Number.NaN }, (ctx) => ctx.text('x')), /bodyLimit of route GET \/x/);
  assert.throws(() => app.get('/x', 'nope' as never), /needs a handler function/);
  assert.throws(() => app.use('nope' as never), /needs a middleware function/);
});

test('writes one access line per request with reqId, method, path, status, client address, ms and bytes', async () => {
  const { app, lines } = appWith((a) => a.get('/users/:id', (ctx) => ctx.text('x')));
  await inject(app, { url: '/users/7?x=1', headers: { 'x-request-id': 'abc-1' } });
  await inject(app, { method: 'POST', url: '/users/7' });
  const access = lines().filter((line) => line.msg === 'request');
  assert.equal(access.length, 2);
  assert.deepEqual({ ...access[0], time: 0, ms: 0, pid: 0, hostname: '' }, {
    level: 30, time: 0, pid: 0, hostname: '', reqId: 'abc-1', method: 'GET', path: '/users/7', status: 200, ip: '127.0.0.1', ms: 0, bytes: 1, msg: 'request',
  });
  assert.equal(typeof access[0]!.ms, 'number');
  assert.ok((access[0]!.ms as number) >= 0);
  assert.equal(access[1]!.status, 405);
});

test('writes no access line when LOG_LEVEL is above info', async () => {
  const { app, lines } = appWith((a) => a.get('/', (ctx) => ctx.text('x')), 'warn');
  await inject(app, { url: '/' });
  assert.deepEqual(lines(), []);
});

test('tells observers the route pattern, status, bytes and duration of each finished request', async () => {
  const { app } = appWith((a) => a.get('/users/:id', (ctx) => ctx.text('hello')));
  const seen: FinishedRequest[] = [];
  const stop = app.observe((finished) => seen.push(finished));
  await inject(app, { url: '/users/7' });
  await inject(app, { url: '/nowhere' });
  stop();
  await inject(app, { url: '/users/8' });
  assert.deepEqual(seen.map(({ status, route, bytes }) => ({ status, route, bytes })), [
    { status: 200, route: '/users/:id', bytes: 5 },
    { status: 404, route: undefined, bytes: Buffer.byteLength(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no such resource' } })) },
  ]);
  assert.ok(seen.every((finished) => finished.durationMs >= 0 && finished.error === undefined));
  assert.equal(seen[0]!.ctx.path, '/users/7');
});

test('an observer that throws is logged and does not stop the others', async () => {
  const { app, lines } = appWith((a) => a.get('/', (ctx) => ctx.text('x')), 'warn');
  let after = 0;
  app.observe(() => {
    throw new Error('observer bug');
  });
  app.observe(() => after++);
  assert.equal((await inject(app, { url: '/' })).status, 200);
  assert.equal(after, 1);
  assert.equal(lines().filter((line) => line.msg === 'a request observer threw').length, 1);
});

test('publishes finished requests on the maru:request:finish diagnostics channel while someone listens', async () => {
  const { app } = appWith((a) => a.get('/x', (ctx) => ctx.text('x')), 'warn');
  const seen: number[] = [];
  const listener = (message: unknown) => seen.push((message as FinishedRequest).status);
  subscribe('maru:request:finish', listener);
  try {
    await inject(app, { url: '/x' });
    await inject(app, { url: '/y' });
  } finally {
    unsubscribe('maru:request:finish', listener);
  }
  await inject(app, { url: '/x' });
  assert.deepEqual(seen, [200, 404]);
});

test('believes forwarded headers only from the peers of trustProxy', async () => {
  const { app } = appWith((a) => a.get('/who', (ctx) => ctx.json({ ip: ctx.ip, secure: ctx.secure, origin: ctx.origin })), 'warn');
  const trusting = createApp({ log: memoryLogger('warn').log, trustProxy: 'loopback' });
  trusting.get('/who', (ctx) => ctx.json({ ip: ctx.ip, secure: ctx.secure, origin: ctx.origin }));
  const headers = { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'example.com' };
  assert.deepEqual((await inject(trusting, { url: '/who', headers })).json(), { ip: '203.0.113.9', secure: true, origin: 'https://example.com' });
  assert.deepEqual((await inject(trusting, { url: '/who', headers, remoteAddress: '198.51.100.1' })).json(), {
    ip: '198.51.100.1', secure: false, origin: 'http://localhost',
  });
  assert.deepEqual((await inject(app, { url: '/who', headers })).json(), { ip: '127.0.0.1', secure: false, origin: 'http://localhost' });
  assert.throws(() => createApp({ log: memoryLogger().log, trustProxy: ['10.0.0.0/33'] }), /option trustProxy: "10.0.0.0\/33"/);
});

test('logs a deliberate, exposed 5xx at warn with its code and cause, without a stack; a real 5xx at error with it', async () => {
  const { app, lines } = appWith((a) => {
    a.get('/busy', () => {
      throw new HttpError(503, 'BUSY', 'the server is busy', { expose: true, headers: { 'retry-after': '1' }, cause: new Error('queue full') });
    });
    a.get('/fault', () => {
      throw new HttpError(502, 'UPSTREAM', 'db at 10.0.0.3 refused');
    });
  });
  assert.equal((await inject(app, { url: '/busy' })).status, 503);
  assert.equal((await inject(app, { url: '/fault' })).status, 502);
  const busy = lines().find((line) => line.code === 'BUSY');
  assert.ok(busy, 'the refusal is logged');
  assert.equal(busy.level, 40);
  assert.equal(busy.msg, 'the server is busy');
  assert.equal(busy.status, 503);
  assert.equal(busy.cause, 'queue full');
  assert.equal(busy.err, undefined);
  assert.doesNotMatch(JSON.stringify(busy), /\bat |\.ts:\d+/, 'no stack');
  const fault = lines().find((line) => line.level === 50);
  assert.ok(fault, 'the fault is logged at error');
  assert.match(String((fault.err as { stack?: string }).stack), /UPSTREAM|db at 10\.0\.0\.3/);
  assert.match(String((fault.err as { stack?: string }).stack), /\n\s+at /, 'with its stack');
});

test('writes at most 20 lines per 10 s about deliberate 5xx replies, then says how many it dropped', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_700_000_000_000 });
  const { app, lines } = appWith((a) =>
    a.get('/busy', () => {
      throw new HttpError(503, 'BUSY', 'the server is busy', { expose: true });
    }),
  );
  for (let i = 0; i < 30; i++) assert.equal((await inject(app, { url: '/busy' })).status, 503, 'every request still gets its 503');
  const refusals = () => lines().filter((line) => line.code === 'BUSY');
  assert.equal(refusals().length, 20);
  assert.ok(refusals().every((line) => line.dropped === undefined));
  t.mock.timers.tick(10_000);
  await inject(app, { url: '/busy' });
  assert.equal(refusals().length, 21);
  assert.equal(refusals().at(-1)!.dropped, 10);
  const other = appWith((a) =>
    a.get('/busy', () => {
      throw new HttpError(503, 'BUSY', 'the server is busy', { expose: true });
    }),
  );
  await inject(other.app, { url: '/busy' });
  assert.equal(other.lines().filter((line) => line.code === 'BUSY').length, 1, 'each app has its own budget');
});
