// The member directory over every protocol it speaks: plain HTTP/1.1, and on one TLS port HTTPS/1.1 and HTTP/2
// (node's own clients and curl). Replies must be the same wherever the protocol allows. What legitimately differs:
// - `date` (the clock moves between requests);
// - HTTP/1.1's connection-specific fields — `connection`, `keep-alive`, `transfer-encoding` — which HTTP/2 never
//   sends (RFC 9113 §8.2.2); so the 413 that says `Connection: close` on HTTP/1.1 ends only its stream on HTTP/2;
// - Set-Cookie: each session id is new, and over TLS the session and language cookies carry `Secure`.
import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listen, type Listening } from '../../src/index.js';
import { throwawayCerts, type ThrowawayCerts } from '../tls/certs.js';
import { h2Connect, h2Request } from '../tls/clients.js';
import { protocolClients, VIAS, type Answer, type Exchange, type ProtocolClients, type Via } from '../tls/protocols.js';
import { testApp, type TestApp } from './harness.js';

const LEGITIMATELY_DIFFERENT = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'set-cookie']);
const TLS_VIAS = VIAS.filter((via) => via !== 'http/1.1');
const JSON_HEADERS = { 'content-type': 'application/json' };
const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

let t: TestApp;
let certs: ThrowawayCerts;
let tls: Listening;
let plain: Listening;
let clients: ProtocolClients;

before(async () => {
  [t, certs] = await Promise.all([testApp(), throwawayCerts()]);
  tls = await listen(t.app, { port: 0, host: '127.0.0.1', tls: { certFile: certs.certFile, keyFile: certs.keyFile, http2: true } });
  plain = await listen(t.app, { port: 0, host: '127.0.0.1' });
  const caFile = join(certs.dir, 'ca-for-curl.pem');
  await copyFile(certs.certFile, caFile);
  clients = await protocolClients({ plainUrl: plain.urls[0]!, tlsUrl: tls.urls[0]!, ca: certs.certPem, caFile });
});
after(async () => {
  clients?.close();
  await Promise.all([tls?.close(), plain?.close()]);
  await Promise.all([t?.close(), certs?.cleanup()]);
});

/** The same request over every protocol, one after the other (the answers of a stateful route depend on order). */
async function everyWay(exchange: Exchange | ((via: Via) => Exchange)): Promise<Map<Via, Answer>> {
  const answers = new Map<Via, Answer>();
  for (const via of VIAS) answers.set(via, await clients.send(via, typeof exchange === 'function' ? exchange(via) : exchange));
  return answers;
}

/** Headers that must be equal on every protocol: all but the legitimately different ones. */
function comparable(answer: Answer): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !LEGITIMATELY_DIFFERENT.has(name)));
}

/** Asserts every protocol gave the plain HTTP/1.1 answer: status, headers (but the listed ones) and body. */
function assertSame(answers: Map<Via, Answer>, what: string, { body = true }: { body?: boolean } = {}): Answer {
  const reference = answers.get('http/1.1')!;
  for (const via of TLS_VIAS) {
    const answer = answers.get(via)!;
    assert.equal(answer.status, reference.status, `${what} status over ${via}`);
    assert.deepEqual(comparable(answer), comparable(reference), `${what} headers over ${via}`);
    if (body) assert.equal(answer.body, reference.body, `${what} body over ${via}`);
    for (const name of ['connection', 'keep-alive', 'transfer-encoding']) {
      if (answer.version === '2') assert.equal(answer.headers[name], undefined, `${what}: no ${name} over ${via}`);
    }
  }
  return reference;
}

describe('every route answers alike over HTTP/1.1, HTTPS/1.1 and HTTP/2 (node and curl)', () => {
  let memberId: string;
  before(async () => {
    const created = await t.client().request({ method: 'POST', url: '/users', body: { name: 'listed', password: 'secret-password' } });
    memberId = created.json<{ id: string }>().id;
  });

  test('each TLS client spoke the protocol it was meant to', async () => {
    const answers = await everyWay({ path: '/hello' });
    assert.deepEqual(
      VIAS.map((via) => answers.get(via)!.version),
      ['1.1', '1.1', '2', '2', '1.1'],
    );
  });

  const reads: [claim: string, exchange: () => Exchange][] = [
    ['GET /hello', () => ({ path: '/hello' })],
    ['GET /healthz', () => ({ path: '/healthz' })],
    ['GET /readyz', () => ({ path: '/readyz' })],
    ['GET / (home page, Korean)', () => ({ path: '/', headers: BROWSER })],
    ['GET / (home page, English)', () => ({ path: '/', headers: { ...BROWSER, 'accept-language': 'en' } })],
    ['GET /about', () => ({ path: '/about', headers: BROWSER })],
    ['GET /static/style.css', () => ({ path: '/static/style.css' })],
    ['GET /static/app.js', () => ({ path: '/static/app.js' })],
    ['GET /users', () => ({ path: '/users' })],
    ['GET /users?limit=1 (Link header)', () => ({ path: '/users?limit=1' })],
    ['GET /users?limit=0 (400)', () => ({ path: '/users?limit=0' })],
    ['GET /users/:id', () => ({ path: `/users/${memberId}` })],
    ['GET /user/:id (the book\'s path)', () => ({ path: `/user/${memberId}` })],
    ['GET /users/:id unknown (404)', () => ({ path: '/users/00000000-0000-4000-8000-000000000000' })],
    ['GET /me without a session (401)', () => ({ path: '/me' })],
    ['GET /no/such/page (404 JSON)', () => ({ path: '/no/such/page' })],
    ['GET /no/such/page (404 page for a browser)', () => ({ path: '/no/such/page', headers: BROWSER })],
    ['DELETE /hello (405 with Allow)', () => ({ method: 'DELETE', path: '/hello' })],
    ['OPTIONS /users/:id (204 with Allow)', () => ({ method: 'OPTIONS', path: `/users/${memberId}` })],
    ['HEAD /users', () => ({ method: 'HEAD', path: '/users' })],
    ['HEAD /static/style.css', () => ({ method: 'HEAD', path: '/static/style.css' })],
    ['HEAD /about', () => ({ method: 'HEAD', path: '/about', headers: BROWSER })],
  ];
  for (const [claim, exchange] of reads) {
    test(`${claim}: the same status, headers and body on every protocol`, async () => {
      const reference = assertSame(await everyWay(exchange()), claim);
      assert.notEqual(reference.status, 0);
    });
  }

  test('HEAD sends the GET\'s headers and no body on every protocol', async () => {
    const [get, head] = [await everyWay({ path: '/static/style.css' }), await everyWay({ method: 'HEAD', path: '/static/style.css' })];
    for (const via of VIAS) {
      assert.equal(head.get(via)!.body, '', via);
      assert.equal(head.get(via)!.headers['content-length'], get.get(via)!.headers['content-length'], via);
      assert.equal(head.get(via)!.headers.etag, get.get(via)!.headers.etag, via);
    }
  });

  test('a stylesheet revalidated with its ETag is a bodiless 304 on every protocol', async () => {
    const etag = String((await clients.send('h2', { path: '/static/style.css' })).headers.etag);
    const answers = await everyWay({ path: '/static/style.css', headers: { 'if-none-match': etag } });
    const reference = assertSame(answers, '304');
    assert.equal(reference.status, 304);
    for (const via of VIAS) assert.equal(answers.get(via)!.body, '', via);
  });

  test('the About page revalidated with its ETag is a 304 on every protocol', async () => {
    const etag = String((await clients.send('http/1.1', { path: '/about', headers: BROWSER })).headers.etag);
    const reference = assertSame(await everyWay({ path: '/about', headers: { ...BROWSER, 'if-none-match': etag } }), '304 /about');
    assert.equal(reference.status, 304);
  });

  const ranges: [claim: string, range: string, status: number][] = [
    ['a single range', 'bytes=10-99', 206],
    ['a suffix range', 'bytes=-20', 206],
    ['a range past the end (416)', 'bytes=999999-', 416],
  ];
  for (const [claim, range, status] of ranges) {
    test(`${claim} of the stylesheet: ${status}, identical on every protocol`, async () => {
      const reference = assertSame(await everyWay({ path: '/static/style.css', headers: { range } }), range);
      assert.equal(reference.status, status);
    });
  }

  test('a body over 16 KiB is a 413 on every protocol; only HTTP/1.1 closes its connection', async () => {
    const body = JSON.stringify({ name: 'big', password: 'secret-password', pad: 'x'.repeat(20_000) });
    const answers = await everyWay({ method: 'POST', path: '/users', headers: JSON_HEADERS, body });
    const reference = assertSame(answers, '413');
    assert.equal(reference.status, 413);
    assert.equal(JSON.parse(reference.body).error.code, 'BODY_TOO_LARGE');
    assert.equal(answers.get('http/1.1')!.headers.connection, 'close');
    assert.equal(answers.get('h2')!.headers.connection, undefined);
    // The HTTP/2 session survived its stream's 413.
    assert.equal((await clients.send('h2', { path: '/hello' })).body, 'Hello Node!');
  });

  test('a body that is neither JSON nor a form is a 415 on every protocol', async () => {
    const reference = assertSame(await everyWay({ method: 'POST', path: '/login', headers: { 'content-type': 'text/plain' }, body: 'name=x' }), '415');
    assert.equal(reference.status, 415);
  });

  test('malformed JSON is a 400 on every protocol', async () => {
    const reference = assertSame(await everyWay({ method: 'POST', path: '/users', headers: JSON_HEADERS, body: '{"name":' }), '400');
    assert.equal(reference.status, 400);
    assert.equal(JSON.parse(reference.body).error.code, 'MALFORMED_JSON');
  });
});

/** One browser-like client over one protocol: it keeps the cookies it is given. */
function jar(via: Via) {
  const cookies = new Map<string, string>();
  const setCookies: string[] = [];
  return {
    setCookies,
    cookies,
    async send(exchange: Exchange): Promise<Answer> {
      const cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
      const answer = await clients.send(via, { ...exchange, headers: { ...exchange.headers, ...(cookie === '' ? {} : { cookie }) } });
      for (const line of [answer.headers['set-cookie'] ?? []].flat()) {
        setCookies.push(line);
        const pair = line.slice(0, line.indexOf(';'));
        const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
        if (/;\s*max-age=0/i.test(line)) cookies.delete(name);
        else cookies.set(name, value);
      }
      return answer;
    },
  };
}

describe('an account\'s whole life over each protocol', () => {
  for (const via of VIAS) {
    test(`register, log in, /me, rename, switch language, log out, log in, delete — over ${via}`, async () => {
      const client = jar(via);
      const name = `life-${via.replace(/\W+/g, '-')}`;
      const statuses: number[] = [];
      const step = async (exchange: Exchange) => {
        const answer = await client.send(exchange);
        statuses.push(answer.status);
        return answer;
      };
      const created = await step({ method: 'POST', path: '/users', headers: JSON_HEADERS, body: JSON.stringify({ name, password: 'secret-password' }) });
      const id = JSON.parse(created.body).id as string;
      assert.equal(created.headers.location, `/users/${id}`);
      const login = await step({ method: 'POST', path: '/login', headers: JSON_HEADERS, body: JSON.stringify({ name, password: 'secret-password' }) });
      assert.deepEqual(JSON.parse(login.body), { id, name });
      assert.equal(JSON.parse((await step({ path: '/me' })).body).name, name);
      await step({ method: 'PUT', path: `/users/${id}`, headers: JSON_HEADERS, body: JSON.stringify({ name: `${name}-2` }) });
      assert.equal(JSON.parse((await step({ path: '/me' })).body).name, `${name}-2`);
      const lang = await step({ path: '/lang/en?next=/about' });
      assert.equal(lang.headers.location, '/about');
      // Both cookies go back on the next request: the page is English and knows the member (the logout button).
      const about = await step({ path: '/about', headers: BROWSER });
      assert.equal(about.headers['content-language'], 'en');
      assert.match(about.body, /id="logout"/);
      const logout = await step({ method: 'POST', path: '/logout' });
      assert.equal(logout.headers.location, '/');
      await step({ path: '/me' });
      await step({ method: 'POST', path: '/login', headers: JSON_HEADERS, body: JSON.stringify({ name: `${name}-2`, password: 'secret-password' }) });
      await step({ method: 'DELETE', path: `/users/${id}` });
      await step({ path: '/me' });

      assert.deepEqual(statuses, [201, 200, 200, 200, 200, 303, 200, 303, 401, 200, 204, 401]);
      // Set by: login, lang switch, logout (cleared), login, delete (cleared): Secure exactly when over TLS.
      assert.equal(client.setCookies.length, 5, client.setCookies.join('\n'));
      for (const line of client.setCookies) {
        assert.equal(/;\s*Secure(;|$)/.test(line), via !== 'http/1.1', `${via}: ${line}`);
        assert.match(line, /SameSite=Lax/);
      }
      assert.match(client.setCookies[0]!, /^sid=[^;]+; Path=\/; HttpOnly/);
    });
  }

  test('over HTTP/2, cookies sent as separate header fields (RFC 9113 §8.2.3 crumbs) are all seen', async () => {
    const client = jar('h2');
    await client.send({ method: 'POST', path: '/users', headers: JSON_HEADERS, body: JSON.stringify({ name: 'crumbs', password: 'secret-password' }) });
    await client.send({ method: 'POST', path: '/login', headers: JSON_HEADERS, body: JSON.stringify({ name: 'crumbs', password: 'secret-password' }) });
    const sid = client.cookies.get('sid')!;
    // node:http2 sends an array as one field per value.
    const session = await h2Connect(tls.urls[0]!, certs.certPem);
    try {
      const me = await h2Request(session, '/about', { headers: { ...BROWSER, cookie: ['lang=en', `sid=${sid}`] } });
      assert.equal(me.headers['content-language'], 'en');
      assert.match(me.body, /id="logout"/);
    } finally {
      session.close();
    }
  });
});
