import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { createApp, HttpError, inject, type Middleware } from '../../src/index.js';
import { memoryLogger } from '../../test/logger.js';
import { withErrorPages } from './error-pages.js';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const SECRET = 'password=hunter2 at db.internal:5432';

/** An app whose routes fail on purpose, behind the wrapper; the first middleware answers /fast at once. */
function failingApp() {
  const logger = memoryLogger();
  const app = createApp({ log: logger.log });
  const first: Middleware = (ctx, next) => (ctx.path === '/fast' ? ctx.text('fast') : next());
  app.use(withErrorPages(first));
  app.get('/crash', () => {
    throw new Error(SECRET);
  });
  app.get('/bug', () => {
    throw new HttpError(500, 'DB_DOWN', SECRET);
  });
  app.get('/busy', () => {
    throw new HttpError(503, 'BUSY', 'try again', { expose: true, headers: { 'retry-after': '5' } });
  });
  app.get('/taken', () => {
    throw new HttpError(409, 'NAME_TAKEN', 'that name is taken');
  });
  app.get('/only-get', (ctx) => ctx.text('ok'));
  return { app, logger };
}

test('a browser gets a 404 page in HTML, in its language', async () => {
  const { app } = failingApp();
  const res = await inject(app, { url: '/nowhere', headers: { accept: BROWSER, 'accept-language': 'en-US,en;q=0.9' } });
  assert.equal(res.status, 404);
  assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/);
  assert.match(res.body, /<html lang="en">/);
  assert.match(res.body, /Page not found/);
  assert.equal(res.headers['content-language'], 'en');
  assert.equal(res.headers.vary, 'Accept, Accept-Language, Cookie');
});

test('the 404 page is Korean by default and when the cookie says so', async () => {
  const { app } = failingApp();
  const plain = await inject(app, { url: '/nowhere', headers: { accept: BROWSER } });
  assert.match(plain.body, /<html lang="ko">/);
  assert.match(plain.body, /페이지를 찾을 수 없습니다/);
  const cookie = await inject(app, { url: '/nowhere', headers: { accept: BROWSER, 'accept-language': 'en', cookie: 'lang=ko' } });
  assert.match(cookie.body, /페이지를 찾을 수 없습니다/);
});

test('a 405 page keeps its status and the Allow header', async () => {
  const { app } = failingApp();
  const res = await inject(app, { method: 'DELETE', url: '/only-get', headers: { accept: BROWSER } });
  assert.equal(res.status, 405);
  assert.equal(res.headers.allow, 'GET, HEAD, OPTIONS');
  assert.match(String(res.headers['content-type']), /^text\/html/);
  assert.match(res.body, /이렇게는 열 수 없는 주소입니다/);
});

test('a 500 page for a thrown Error shows the request id and nothing of the error', async () => {
  const { app, logger } = failingApp();
  const res = await inject(app, { url: '/crash', headers: { accept: BROWSER, 'x-request-id': 'req-42' } });
  assert.equal(res.status, 500);
  assert.match(String(res.headers['content-type']), /^text\/html/);
  assert.match(res.body, /서버에 문제가 생겼습니다/);
  assert.match(res.body, /<code>req-42<\/code>/);
  assert.ok(!res.body.includes('hunter2'), 'no message');
  assert.ok(!res.body.includes('error-pages.test'), 'no stack');
  // The error is not lost: it is logged with the request id, as the toolkit does without the wrapper.
  const logged = logger.lines().find((line) => line.msg === 'unhandled error');
  assert.equal(logged?.reqId, 'req-42');
});

test('a 500 HttpError page does not show its message either', async () => {
  const { app } = failingApp();
  const res = await inject(app, { url: '/bug', headers: { accept: BROWSER, 'accept-language': 'en' } });
  assert.equal(res.status, 500);
  assert.match(res.body, /Something went wrong on our side/);
  assert.ok(!res.body.includes('hunter2'));
  assert.ok(!res.body.includes('DB_DOWN'));
});

test('a 503 page keeps Retry-After', async () => {
  const { app } = failingApp();
  const res = await inject(app, { url: '/busy', headers: { accept: BROWSER } });
  assert.equal(res.status, 503);
  assert.equal(res.headers['retry-after'], '5');
  assert.match(res.body, /잠시 이용할 수 없습니다/);
});

test('another 4xx page says what its code means, in the reader\'s language', async () => {
  const { app } = failingApp();
  const res = await inject(app, { url: '/taken', headers: { accept: BROWSER, cookie: 'lang=en' } });
  assert.equal(res.status, 409);
  assert.match(res.body, /That name is taken/);
});

const apiClients: [claim: string, headers: Record<string, string>][] = [
  ['without Accept', {}],
  ['with Accept: */* (fetch, curl)', { accept: '*/*' }],
  ['with Accept: application/json', { accept: 'application/json', 'accept-language': 'en' }],
];
for (const [claim, headers] of apiClients) {
  test(`an API client ${claim} keeps the JSON error, with Vary: Accept`, async () => {
    const { app } = failingApp();
    const notFound = await inject(app, { url: '/nowhere', headers });
    assert.equal(notFound.status, 404);
    assert.deepEqual(notFound.json(), { error: { code: 'NOT_FOUND', message: 'no such resource' } });
    assert.equal(notFound.headers.vary, 'Accept');
    const crash = await inject(app, { url: '/crash', headers });
    assert.equal(crash.status, 500);
    assert.equal(crash.json<{ error: { code: string } }>().error.code, 'INTERNAL');
    assert.ok(!crash.body.includes('hunter2'));
    const wrong = await inject(app, { method: 'DELETE', url: '/only-get', headers });
    assert.equal(wrong.headers.allow, 'GET, HEAD, OPTIONS');
    assert.match(String(wrong.headers['content-type']), /^application\/json/);
  });
}

test('a HEAD request gets the error page\'s headers without its body', async () => {
  const { app } = failingApp();
  const res = await inject(app, { method: 'HEAD', url: '/nowhere', headers: { accept: BROWSER } });
  assert.equal(res.status, 404);
  assert.match(String(res.headers['content-type']), /^text\/html/);
  assert.equal(res.body, '');
});

test('an answer the wrapped middleware gives at once stays synchronous (no promise)', () => {
  const { app } = failingApp();
  const ctx = app.context({ method: 'GET', target: '/fast', headers: {}, body: Readable.from([]), remoteAddress: '127.0.0.1', secure: false, httpVersion: '1.1' });
  const reply = app.handle(ctx);
  assert.ok(!(reply instanceof Promise));
  assert.equal(reply.body, 'fast');
});

test('a middleware that throws at once is answered too', async () => {
  const logger = memoryLogger();
  const app = createApp({ log: logger.log });
  app.use(withErrorPages(() => {
    throw new HttpError(403, 'FORBIDDEN', 'no');
  }));
  const res = await inject(app, { url: '/', headers: { accept: BROWSER, 'accept-language': 'en' } });
  assert.equal(res.status, 403);
  assert.match(res.body, /You do not have access to this page/);
});
