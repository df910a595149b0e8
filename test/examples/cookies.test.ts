// examples/cookie.ts, cookie2.ts and session.ts: the book's cookie and session examples on maru, over sockets.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from '../core/client.js';
import { startExample, type RunningExample } from './run.js';

const setCookies = (headers: Record<string, unknown>): string[] => (headers['set-cookie'] as string[] | undefined) ?? [];
const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

describe('cookie', () => {
  let server: RunningExample;
  let url: string;
  before(async () => {
    server = await startExample('cookie', { env: { LOG_LEVEL: 'info' } });
    url = server.urls[0]!;
  });
  after(() => server.stop());

  test('cookie sets mycookie=test, HttpOnly, and logs the cookies the browser sends back', async () => {
    const first = await request(url);
    const second = await request(url, { headers: { cookie: 'mycookie=test; other=%EA%B9%80' } });
    await server.waitFor(/"cookies":\{"mycookie":"test","other":"김"\}/, 30_000);
    assert.equal(first.status, 200);
    assert.equal(first.body, 'Hello Cookie');
    assert.deepEqual(setCookies(first.headers), ['mycookie=test; Path=/; HttpOnly; SameSite=Lax']);
    assert.equal(second.status, 200);
  });

  test('cookie survives a malformed cookie that would throw in decodeURIComponent', async () => {
    const bad = await request(url, { headers: { cookie: 'mycookie=%; x=%E0%A4%A' } });
    const again = await request(url);
    assert.equal(bad.status, 200);
    assert.equal(again.status, 200);
    assert.equal(again.body, 'Hello Cookie');
  });
});

describe('cookie2', () => {
  let server: RunningExample;
  let url: string;
  before(async () => {
    server = await startExample('cookie2');
    url = server.urls[0]!;
  });
  after(() => server.stop());

  test('cookie2 logs in by form and greets "OO님 안녕하세요" from a signed, HttpOnly, percent-encoded cookie', async () => {
    const loginPage = await request(url);
    const login = await request(`${url}/login`, form({ name: '제로' }));
    const [cookie] = setCookies(login.headers);
    const greeting = await request(url, { headers: { cookie: cookie!.split(';')[0]! } });
    assert.equal(loginPage.status, 200);
    assert.match(loginPage.body, /<form action="\/login" method="post">/);
    assert.equal(login.status, 303);
    assert.equal(login.headers.location, '/');
    assert.match(cookie!, /^name=%EC%A0%9C%EB%A1%9C\.[A-Za-z0-9_-]{43}; Max-Age=300; Path=\/; HttpOnly; SameSite=Lax$/);
    assert.equal(greeting.body, '제로님 안녕하세요');
  });

  test('cookie2 does not believe a name cookie it did not sign, nor one whose name was changed', async () => {
    const login = await request(`${url}/login`, form({ name: 'zero' }));
    const signed = setCookies(login.headers)[0]!.split(';')[0]!;
    const forged = await request(url, { headers: { cookie: 'name=admin' } });
    const changed = await request(url, { headers: { cookie: signed.replace('name=zero', 'name=admin') } });
    const malformed = await request(url, { headers: { cookie: 'name=%' } });
    for (const answer of [forged, changed, malformed]) {
      assert.equal(answer.status, 200);
      assert.match(answer.body, /<form action="\/login"/);
      assert.doesNotMatch(answer.body, /안녕하세요/);
    }
  });

  test('cookie2 refuses an empty name with 400, and a login posted from another site with 403', async () => {
    const empty = await request(`${url}/login`, form({ name: '   ' }));
    const crossSite = await request(`${url}/login`, { ...form({ name: 'zero' }), headers: { ...form({}).headers, origin: 'https://evil.example' } });
    assert.equal(empty.status, 400);
    assert.equal(JSON.parse(empty.body).error.code, 'INVALID_NAME');
    assert.equal(crossSite.status, 403);
    assert.deepEqual(setCookies(crossSite.headers), []);
  });
});

describe('session', () => {
  let server: RunningExample;
  let url: string;
  before(async () => {
    server = await startExample('session');
    url = server.urls[0]!;
  });
  after(() => server.stop());

  test('session greets by a random 32-character id, a new one at each login, and never by a guessed one', async () => {
    const visitor = await request(url);
    const first = await request(`${url}/login`, form({ name: '제로' }));
    const second = await request(`${url}/login`, form({ name: '제로' }));
    const ids = [first, second].map((answer) => /^sid=([^;]*);/.exec(setCookies(answer.headers)[0] ?? '')?.[1]);
    const greeting = await request(url, { headers: { cookie: `sid=${ids[0]}` } });
    const guessed = await request(url, { headers: { cookie: `sid=${Date.now()}` } });
    assert.match(visitor.body, /<form action="\/login"/);
    assert.deepEqual(setCookies(visitor.headers), [], 'no session is made for a visitor who has not logged in');
    for (const id of ids) assert.match(id ?? '', /^[A-Za-z0-9_-]{32}$/);
    assert.notEqual(ids[0], ids[1]);
    assert.match(setCookies(first.headers)[0]!, /; HttpOnly; SameSite=Lax$/);
    assert.equal(greeting.body, '제로님 안녕하세요');
    assert.match(guessed.body, /<form action="\/login"/);
  });

  test('session gives a new id at login, so an id planted before it is worth nothing after', async () => {
    const first = await request(`${url}/login`, form({ name: 'victim' }));
    const planted = /^sid=([^;]*);/.exec(setCookies(first.headers)[0]!)![1]!;
    const relogin = await request(`${url}/login`, { ...form({ name: 'victim' }), headers: { ...form({}).headers, cookie: `sid=${planted}` } });
    const fresh = /^sid=([^;]*);/.exec(setCookies(relogin.headers)[0]!)![1]!;
    const withPlanted = await request(url, { headers: { cookie: `sid=${planted}` } });
    const withFresh = await request(url, { headers: { cookie: `sid=${fresh}` } });
    assert.notEqual(fresh, planted);
    assert.match(withPlanted.body, /<form action="\/login"/);
    assert.equal(withFresh.body, 'victim님 안녕하세요');
  });
});
