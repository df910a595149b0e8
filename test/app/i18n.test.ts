import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from './harness.js';

// The member directory in Korean and English, in-process: the language choice on every page, the switch, the
// About page and its ETag, the home page's form errors, and pages that run under a CSP without 'unsafe-inline'.

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded', accept: BROWSER };

let t: TestApp;
before(async () => {
  t = await testApp();
});
after(() => t.close());

describe('the language of a page', () => {
  test('the home page is Korean by default, with lang="ko", Content-Language and Vary', async () => {
    const res = await t.client().request({ url: '/' });
    assert.match(res.body, /<html lang="ko">/);
    assert.match(res.body, /<h1>회원 명부<\/h1>/);
    assert.equal(res.headers['content-language'], 'ko');
    assert.equal(res.headers.vary, 'Accept-Language, Cookie');
  });

  test('the home page is English for a browser that prefers English', async () => {
    const res = await t.client().request({ url: '/', headers: { 'accept-language': 'en-GB,en;q=0.9,ko;q=0.5' } });
    assert.match(res.body, /<html lang="en">/);
    assert.match(res.body, /<h1>Member directory<\/h1>/);
    assert.equal(res.headers['content-language'], 'en');
  });

  test('the lang cookie wins over Accept-Language', async () => {
    const res = await t.client().request({ url: '/', headers: { 'accept-language': 'en', cookie: 'lang=ko' } });
    assert.match(res.body, /<html lang="ko">/);
  });

  test('each page links to the other language, coming back to the same page', async () => {
    const ko = await t.client().request({ url: '/?registered=1' });
    assert.match(ko.body, /<a id="language" class="language" href="\/lang\/en\?next=%2F%3Fregistered%3D1" hreflang="en" lang="en">English<\/a>/);
    const en = await t.client().request({ url: '/about', headers: { cookie: 'lang=en' } });
    assert.match(en.body, /href="\/lang\/ko\?next=%2Fabout" hreflang="ko" lang="ko">한국어<\/a>/);
  });
});

describe('the language switch', () => {
  test('sets a year-long SameSite=Lax cookie and goes back to the page with 303', async () => {
    const c = t.client();
    const res = await c.request({ url: '/lang/en?next=%2Fabout' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/about');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.deepEqual(res.headers['set-cookie'], ['lang=en; Max-Age=31536000; Path=/; SameSite=Lax']);
    const about = await c.request({ url: '/about', headers: { 'accept-language': 'ko-KR' } });
    assert.match(about.body, /<html lang="en">/);
    const home = await c.request({ url: '/', headers: { 'accept-language': 'ko-KR' } });
    assert.match(home.body, /<html lang="en">/);
  });

  test('marks the cookie Secure over TLS', async () => {
    const res = await t.client().request({ url: '/lang/ko', secure: true });
    assert.deepEqual(res.headers['set-cookie'], ['lang=ko; Max-Age=31536000; Path=/; Secure; SameSite=Lax']);
    assert.equal(res.headers.location, '/');
  });

  test('never sends the reader to another site', async () => {
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const res = await t.client().request({ url: `/lang/en?next=${encodeURIComponent(next)}` });
      assert.equal(res.headers.location, '/', next);
    }
  });

  test('answers 404 for a language it does not speak, and sets nothing', async () => {
    const res = await t.client().request({ url: '/lang/fr?next=%2F' });
    assert.equal(res.status, 404);
    assert.equal(res.headers['set-cookie'], undefined);
  });
});

describe('the About page', () => {
  test('is Korean or English by the reader\'s language', async () => {
    const ko = await t.client().request({ url: '/about' });
    assert.equal(ko.status, 200);
    assert.match(ko.body, /<html lang="ko">/);
    assert.match(ko.body, /<h1>소개<\/h1>/);
    assert.equal(ko.headers['content-language'], 'ko');
    assert.equal(ko.headers.vary, 'Accept-Language, Cookie');
    const en = await t.client().request({ url: '/about', headers: { 'accept-language': 'en' } });
    assert.match(en.body, /<html lang="en">/);
    assert.match(en.body, /<h1>About<\/h1>/);
    assert.notEqual(en.headers.etag, ko.headers.etag);
  });

  test('answers 304 to its ETag, with the headers a cache needs', async () => {
    const first = await t.client().request({ url: '/about', headers: { 'accept-language': 'en' } });
    const etag = String(first.headers.etag);
    assert.match(etag, /^"[\w-]+"$/);
    assert.equal(first.headers['cache-control'], 'no-cache');
    const again = await t.client().request({ url: '/about', headers: { 'accept-language': 'en', 'if-none-match': `W/${etag}` } });
    assert.equal(again.status, 304);
    assert.equal(again.body, '');
    assert.equal(again.headers.etag, etag);
    assert.equal(again.headers.vary, 'Accept-Language, Cookie');
    // The Korean page is another representation: the English ETag does not match it.
    const korean = await t.client().request({ url: '/about', headers: { 'if-none-match': etag } });
    assert.equal(korean.status, 200);
  });

  test('shows the logout button to a logged-in member', async () => {
    const c = t.client();
    await c.signUp('aboutreader');
    const res = await c.request({ url: '/about' });
    assert.match(res.body, /<form id="logout" method="post" action="\/logout">/);
    assert.doesNotMatch((await t.client().request({ url: '/about' })).body, /id="logout"/);
  });
});

describe('errors on the pages', () => {
  test('an empty name on the register form reads "이름을 반드시 입력하셔야 합니다" in Korean', async () => {
    const res = await t.client().request({ method: 'POST', url: '/users', headers: FORM_HEADERS, body: 'name=+&password=form-password' });
    assert.equal(res.status, 400);
    assert.match(res.body, /<p class="message error" role="alert">이름을 반드시 입력하셔야 합니다.<\/p>/);
    assert.equal(res.headers['content-language'], 'ko');
  });

  test('the same mistake reads as an English sentence for an English reader', async () => {
    const res = await t.client().request({ method: 'POST', url: '/users', headers: { ...FORM_HEADERS, cookie: 'lang=en' }, body: 'name=&password=form-password' });
    assert.equal(res.status, 400);
    assert.match(res.body, /<p class="message error" role="alert">Please enter a name.<\/p>/);
    assert.doesNotMatch(res.body, /name must not be empty/);
  });

  test('a failed login form reads in the reader\'s language', async () => {
    const res = await t.client().request({ method: 'POST', url: '/login', headers: { ...FORM_HEADERS, 'accept-language': 'en' }, body: 'name=nobody&password=wrong-password' });
    assert.equal(res.status, 401);
    assert.match(res.body, /Wrong name or password\./);
  });

  test('the API keeps its JSON error, code and developer message, for an empty rename', async () => {
    const c = t.client();
    const id = await c.signUp('apirename');
    const res = await c.request({ method: 'PATCH', url: `/users/${id}`, headers: { 'accept-language': 'ko' }, body: { name: '' } });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json(), { error: { code: 'NAME_REQUIRED', message: 'name must not be empty' } });
  });

  test('the home page hands the client script its error table, in the page\'s language', async () => {
    const res = await t.client().request({ url: '/', headers: { 'accept-language': 'en' } });
    const attr = /<p id="message"[^>]* data-errors="([^"]*)"/.exec(res.body)?.[1];
    assert.ok(attr !== undefined, 'data-errors is on #message');
    const table = JSON.parse(attr.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&')) as Record<string, string>;
    assert.equal(table.NAME_REQUIRED, 'Please enter a name.');
    assert.match(res.body, /data-unknown="Your request could not be completed. Please try again."/);
  });

  test('an unknown page is a localized 404 page for a browser, JSON for the API', async () => {
    const page = await t.client().request({ url: '/no/such/page', headers: { accept: BROWSER, cookie: 'lang=en' } });
    assert.equal(page.status, 404);
    assert.match(page.body, /<html lang="en">/);
    assert.match(page.body, /Page not found/);
    const api = await t.client().request({ url: '/no/such/page' });
    assert.equal(api.status, 404);
    assert.equal(api.json<{ error: { code: string } }>().error.code, 'NOT_FOUND');
  });

  test('a missing static file is a 404 page for a browser too', async () => {
    const res = await t.client().request({ url: '/static/missing.png', headers: { accept: BROWSER } });
    assert.equal(res.status, 404);
    assert.match(res.body, /페이지를 찾을 수 없습니다/);
  });

  test('GET /login in the address bar is a 405 page that keeps Allow', async () => {
    const res = await t.client().request({ url: '/login', headers: { accept: BROWSER } });
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'OPTIONS, POST');
    assert.match(res.body, /<html lang="ko">/);
  });
});

describe('pages under a Content-Security-Policy without unsafe-inline', () => {
  // Every page the app renders: no inline script, no style element or attribute, no event-handler attribute.
  const pages = async (): Promise<[string, string][]> => {
    const member = t.client();
    await member.signUp('cspreader');
    const visitor = t.client();
    return [
      ['home (visitor)', (await visitor.request({ url: '/' })).body],
      ['home (member, English)', (await member.request({ url: '/', headers: { 'accept-language': 'en' } })).body],
      ['About (Korean)', (await visitor.request({ url: '/about' })).body],
      ['About (English)', (await member.request({ url: '/about', headers: { cookie: 'lang=en' } })).body],
      ['404 page', (await visitor.request({ url: '/nope', headers: { accept: BROWSER } })).body],
      ['405 page', (await visitor.request({ url: '/logout', headers: { accept: BROWSER } })).body],
      ['form error', (await visitor.request({ method: 'POST', url: '/users', headers: FORM_HEADERS, body: 'name=&password=x' })).body],
    ];
  };

  test('no page carries an inline script, an inline style or an event handler', async () => {
    for (const [name, html] of await pages()) {
      assert.match(html, /<script type="module" src="\/static\/app.js"><\/script>/, name);
      for (const script of html.match(/<script\b[^>]*>/g) ?? []) assert.match(script, /\ssrc="/, `${name}: ${script}`);
      assert.doesNotMatch(html, /<style\b/i, name);
      assert.doesNotMatch(html, /\sstyle=/i, name);
      assert.doesNotMatch(html, /<[^>]+\son[a-z]+=/i, name);
    }
  });
});
