// What the member directory tells a browser about its replies: a Content-Security-Policy and its companions on every
// reply, and Cache-Control: no-store on everything that depends on who is logged in.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { InjectResponse } from '../../src/index.js';
import { testApp, type TestApp } from './harness.js';

const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };

let t: TestApp;
before(async () => {
  t = await testApp();
});
after(() => t.close());

function assertSecurityHeaders(res: InjectResponse): void {
  const csp = String(res.headers['content-security-policy']);
  assert.match(csp, /(^|; )default-src 'self'(;|$)/);
  assert.match(csp, /(^|; )frame-ancestors 'none'(;|$)/);
  assert.match(csp, /(^|; )base-uri 'self'(;|$)/);
  assert.match(csp, /(^|; )form-action 'self'(;|$)/);
  assert.match(csp, /(^|; )object-src 'none'(;|$)/);
  assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'), csp);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers['x-frame-options'], 'DENY');
  assert.equal(res.headers['referrer-policy'], 'same-origin');
}

describe('security headers', () => {
  test('the home page carries the CSP, nosniff, X-Frame-Options and Referrer-Policy', async () => {
    assertSecurityHeaders(await t.client().request({ url: '/' }));
  });

  test('the about page, the stylesheet and the client script carry them too, and stay revalidatable', async () => {
    for (const url of ['/about', '/static/style.css', '/static/app.js']) {
      const res = await t.client().request({ url });
      assert.equal(res.status, 200, url);
      assertSecurityHeaders(res);
      assert.equal(res.headers['cache-control'], 'no-cache', url);
    }
  });

  test('an error page for a browser carries them', async () => {
    const res = await t.client().request({ url: '/no-such-page', headers: { accept: 'text/html' } });
    assert.equal(res.status, 404);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assertSecurityHeaders(res);
  });

  test('an API error carries them', async () => {
    const res = await t.client().request({ url: '/users/not-a-uuid' });
    assert.equal(res.status, 404);
    assertSecurityHeaders(res);
  });
});

describe('Cache-Control: no-store', () => {
  test('on /me', async () => {
    const c = t.client();
    await c.signUp('nostore-me');
    const res = await c.request({ url: '/me' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  test('on a JSON login\'s answer', async () => {
    const c = t.client();
    await c.request({ method: 'POST', url: '/users', body: { name: 'nostore-json', password: 'secret-password' } });
    const res = await c.request({ method: 'POST', url: '/login', body: { name: 'nostore-json', password: 'secret-password' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  test('on a form login\'s redirect', async () => {
    const c = t.client();
    await c.request({ method: 'POST', url: '/users', body: { name: 'nostore-form', password: 'secret-password' } });
    const res = await c.request({ method: 'POST', url: '/login', headers: FORM_HEADERS, body: 'name=nostore-form&password=secret-password' });
    assert.equal(res.status, 303);
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  test('on a failed JSON login\'s 401', async () => {
    const res = await t.client().request({ method: 'POST', url: '/login', body: { name: 'nobody', password: 'secret-password' } });
    assert.equal(res.status, 401);
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  test('on the home page, logged in, and on the pages that answer a failed login or registration form', async () => {
    const c = t.client();
    await c.signUp('nostore-home');
    const pages = [
      await c.request({ url: '/' }),
      await t.client().request({ method: 'POST', url: '/login', headers: FORM_HEADERS, body: 'name=nobody&password=secret-password' }),
      await t.client().request({ method: 'POST', url: '/users', headers: FORM_HEADERS, body: 'name=nostore-home&password=secret-password' }),
    ];
    assert.deepEqual(pages.map((res) => res.status), [200, 401, 409]);
    for (const res of pages) assert.match(String(res.headers['cache-control']), /(^|, )no-store(,|$)/);
  });
});
