import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Readable } from 'node:stream';
import { createApp, type Middleware } from '../app.js';
import { HttpError } from '../errors.js';
import { inject } from '../testing/inject.js';
import { memoryLogger } from '../../test/logger.js';
import { securityHeaders, type SecurityHeadersOptions } from './security-headers.js';

function app(options?: SecurityHeadersOptions) {
  const a = createApp({ log: memoryLogger().log });
  a.use(securityHeaders(options));
  a.get('/page', (ctx) => ctx.html('<p>hi</p>'));
  a.get('/own', (ctx) => {
    const reply = ctx.text('own');
    return { ...reply, headers: { ...reply.headers, 'content-security-policy': "default-src 'none'", 'cache-control': 'max-age=60' } };
  });
  a.get('/teapot', () => {
    throw new HttpError(418, 'TEAPOT', 'short and stout');
  });
  a.get('/crash', () => {
    throw new Error('internal detail');
  });
  return a;
}

test('by default sends a CSP that allows this origin only, refuses framing, plugins and foreign form targets', () => {
  assert.equal(
    securityHeaders().headers['content-security-policy'],
    "default-src 'self'; base-uri 'self'; form-action 'self'; object-src 'none'; frame-ancestors 'none'",
  );
});

test('by default sends nosniff, X-Frame-Options DENY and a strict-origin-when-cross-origin Referrer-Policy', () => {
  const { headers } = securityHeaders();
  assert.equal(headers['x-content-type-options'], 'nosniff');
  assert.equal(headers['x-frame-options'], 'DENY');
  assert.equal(headers['referrer-policy'], 'strict-origin-when-cross-origin');
  assert.equal(headers['cache-control'], undefined, 'no Cache-Control unless asked for');
});

test('adds the headers to a route\'s reply', async () => {
  const res = await inject(app(), { url: '/page' });
  assert.equal(res.status, 200);
  assert.equal(res.headers['x-frame-options'], 'DENY');
  assert.match(String(res.headers['content-security-policy']), /^default-src 'self'/);
});

test('adds the headers to the reply of a thrown HttpError, keeping its status and body', async () => {
  const res = await inject(app(), { url: '/teapot' });
  assert.equal(res.status, 418);
  assert.equal(res.json<{ error: { code: string } }>().error.code, 'TEAPOT');
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
});

test('adds the headers to the router\'s 404', async () => {
  const res = await inject(app(), { url: '/nowhere' });
  assert.equal(res.status, 404);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
});

test('adds the headers to a generic 500 that still carries no internal message', async () => {
  const res = await inject(app(), { url: '/crash' });
  assert.equal(res.status, 500);
  assert.ok(!res.body.includes('internal detail'));
  assert.equal(res.headers['x-frame-options'], 'DENY');
});

test('keeps a policy and a Cache-Control the route set itself', async () => {
  const res = await inject(app({ cacheControl: 'no-store' }), { url: '/own' });
  assert.equal(res.headers['content-security-policy'], "default-src 'none'");
  assert.equal(res.headers['cache-control'], 'max-age=60');
});

test('sets the cacheControl option on replies that set none', async () => {
  const res = await inject(app({ cacheControl: 'no-store' }), { url: '/page' });
  assert.equal(res.headers['cache-control'], 'no-store');
});

test('lays CSP directives over the defaults and drops those set to false', () => {
  const { headers } = securityHeaders({ contentSecurityPolicy: { 'img-src': ["'self'", 'https://img.example'], 'object-src': false, 'upgrade-insecure-requests': [] } });
  assert.equal(
    headers['content-security-policy'],
    "default-src 'self'; base-uri 'self'; form-action 'self'; img-src 'self' https://img.example; upgrade-insecure-requests; frame-ancestors 'none'",
  );
});

test('frameAncestors self gives CSP frame-ancestors \'self\' and X-Frame-Options SAMEORIGIN', () => {
  const { headers } = securityHeaders({ frameAncestors: 'self' });
  assert.match(String(headers['content-security-policy']), /frame-ancestors 'self'$/);
  assert.equal(headers['x-frame-options'], 'SAMEORIGIN');
});

test('frameAncestors with other origins lists them in the CSP and sends no X-Frame-Options, which cannot say so', () => {
  const { headers } = securityHeaders({ frameAncestors: ['self', 'https://portal.example/some/page'] });
  assert.match(String(headers['content-security-policy']), /frame-ancestors 'self' https:\/\/portal\.example$/);
  assert.equal(headers['x-frame-options'], undefined);
});

test('leaves out each header that is turned off', () => {
  const { headers } = securityHeaders({ contentSecurityPolicy: false, referrerPolicy: false, noSniff: false });
  assert.deepEqual(Object.keys(headers), ['x-frame-options']);
});

function context() {
  return createApp({ log: memoryLogger().log }).context({ method: 'GET', target: '/', headers: {}, body: Readable.from([]), remoteAddress: '127.0.0.1', secure: false, httpVersion: '1.1' });
}
const unused = () => Promise.reject(new Error('next is not called here'));

test('around() adds the headers to a synchronous reply and keeps it synchronous', () => {
  const inner: Middleware = (ctx) => ctx.text('hit');
  const reply = securityHeaders().around(inner)(context(), unused);
  assert.ok(!(reply instanceof Promise));
  assert.equal(reply.headers['x-content-type-options'], 'nosniff');
});

test('around() passes on, as the same object, a reply built with its headers', () => {
  const security = securityHeaders();
  const built = { status: 200, headers: { 'content-type': 'text/css', ...security.headers }, body: 'a{}' };
  assert.equal(security.around(() => built)(context(), unused), built);
});

test('around() lets an error through for a wrapper inside it to answer', async () => {
  const inner: Middleware = async () => {
    throw new HttpError(404, 'NOT_FOUND', 'gone');
  };
  await assert.rejects(Promise.resolve(securityHeaders().around(inner)(context(), unused)), /gone/);
});

const badOptions: [claim: string, options: unknown, option: RegExp][] = [
  ['a CSP directive name with a space', { contentSecurityPolicy: { 'script src': "'self'" } }, /option contentSecurityPolicy/],
  ['a CSP value with a ; that would start another directive', { contentSecurityPolicy: { 'img-src': "'self'; script-src *" } }, /option contentSecurityPolicy\.img-src/],
  ['a CSP value with a comma that would start another policy', { contentSecurityPolicy: { 'img-src': ["'self', script-src *"] } }, /option contentSecurityPolicy\.img-src/],
  ['a CSP value with a newline', { contentSecurityPolicy: { 'img-src': "'self'\r\nx-evil: 1" } }, /option contentSecurityPolicy\.img-src/],
  ['frame-ancestors inside contentSecurityPolicy', { contentSecurityPolicy: { 'frame-ancestors': '*' } }, /option frameAncestors/],
  ['contentSecurityPolicy as a string', { contentSecurityPolicy: "default-src 'self'" }, /option contentSecurityPolicy/],
  ['frameAncestors that is not an origin', { frameAncestors: ['example.com'] }, /option frameAncestors/],
  ['frameAncestors with an opaque origin', { frameAncestors: ['data:text/html,x'] }, /option frameAncestors/],
  ['an empty frameAncestors list', { frameAncestors: [] }, /option frameAncestors/],
  ['an unknown Referrer-Policy', { referrerPolicy: 'never' }, /option referrerPolicy/],
  ['noSniff that is not a boolean', { noSniff: 'yes' }, /option noSniff/],
  ['an empty cacheControl', { cacheControl: '' }, /option cacheControl/],
  ['a cacheControl with a newline', { cacheControl: 'no-store\r\nx: y' }, /option cacheControl/],
];

for (const [claim, options, option] of badOptions) {
  test(`throws a TypeError at set-up for ${claim}`, () => {
    assert.throws(() => securityHeaders(options as SecurityHeadersOptions), (err: unknown) => err instanceof TypeError && option.test(err.message));
  });
}
