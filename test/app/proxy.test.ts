// The member directory behind a proxy that terminates TLS (nginx, a load balancer): the proxy talks plain HTTP to
// maru and says what the browser used in X-Forwarded-For/-Proto/-Host or Forwarded (RFC 7239). Believed only from a
// trusted peer: then the session cookie is Secure, the same-origin guard compares the browser's `Origin: https://…`
// with the public origin, and the access log names the real client. From anyone else the headers change nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listen, type Listening } from '../../src/index.js';
import { request, type ClientResponse } from '../core/client.js';
import { testApp, type TestApp } from './harness.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_HEADERS = { 'content-type': 'application/json' };
const PUBLIC_HOST = 'members.example';
const PUBLIC_ORIGIN = `https://${PUBLIC_HOST}`;

interface Served {
  readonly t: TestApp;
  readonly server: Listening;
  readonly url: string;
  readonly lines: () => Record<string, unknown>[];
}

// The peer of every request here is 127.0.0.1: `loopback` trusts it, `10.0.0.0/8` (some other proxy) does not.
async function serve(trustProxy: string): Promise<Served> {
  const t = await testApp({ trustProxy });
  const server = await listen(t.app, { port: 0, host: '127.0.0.1' });
  return { t, server, url: server.urls[0]!, lines: t.logs };
}

let trusted: Served;
let untrusted: Served;
before(async () => {
  [trusted, untrusted] = await Promise.all([serve('loopback'), serve('10.0.0.0/8')]);
  for (const { url } of [trusted, untrusted]) {
    const res = await request(`${url}/users`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ name: 'proxied', password: 'secret-password' }) });
    assert.equal(res.status, 201);
  }
});
after(async () => {
  for (const served of [trusted, untrusted]) {
    await served?.server.close();
    await served?.t.close();
  }
});

/** What nginx sends with `proxy_set_header Host $host; X-Forwarded-Proto $scheme; X-Forwarded-For $proxy_add_x_forwarded_for`. */
const NGINX = { host: PUBLIC_HOST, 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' };
/** A proxy that keeps its own upstream Host and says the public one in X-Forwarded-Host. */
const FORWARDED_HOST = { 'x-forwarded-host': PUBLIC_HOST, 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' };
/** The same facts in RFC 7239's one header. */
const FORWARDED = { forwarded: `for=203.0.113.9;proto=https;host=${PUBLIC_HOST}` };
/** What a browser on the public HTTPS page adds to a form post. */
const BROWSER_POST = { ...FORM, origin: PUBLIC_ORIGIN, 'sec-fetch-site': 'same-origin' };

function cookieOf(res: ClientResponse): string {
  const line = [res.headers['set-cookie'] ?? []].flat()[0];
  assert.ok(line !== undefined, `a Set-Cookie on ${res.status}`);
  return line;
}

const login = (served: Served, headers: Record<string, string>) =>
  request(`${served.url}/login`, { method: 'POST', headers: { ...BROWSER_POST, ...headers }, body: 'name=proxied&password=secret-password' });

describe('a trusted proxy that terminated TLS', () => {
  for (const [how, headers] of [['X-Forwarded-Proto with the public Host', NGINX], ['X-Forwarded-Host', FORWARDED_HOST], ['Forwarded (RFC 7239)', FORWARDED]] as const) {
    test(`via ${how}: the browser's login form passes the same-origin guard and the session cookie is Secure`, async () => {
      const res = await login(trusted, headers);
      assert.equal(res.status, 303, res.body);
      assert.equal(res.headers.location, '/');
      assert.match(cookieOf(res), /^sid=[^;]+;.*; Secure/);
    });
  }

  test('the browser\'s register and logout form posts pass too; logout clears a Secure cookie', async () => {
    const registered = await request(`${trusted.url}/users`, { method: 'POST', headers: { ...BROWSER_POST, ...NGINX }, body: 'name=proxied-2&password=secret-password' });
    assert.equal(registered.status, 303, registered.body);
    const sid = cookieOf(await login(trusted, NGINX)).split(';')[0]!;
    const logout = await request(`${trusted.url}/logout`, { method: 'POST', headers: { ...BROWSER_POST, ...NGINX, cookie: sid } });
    assert.equal(logout.status, 303, logout.body);
    assert.match(cookieOf(logout), /^sid=;.*Max-Age=0.*; Secure/);
    const me = await request(`${trusted.url}/me`, { headers: { ...NGINX, cookie: sid } });
    assert.equal(me.status, 401);
  });

  test('a page from another site is still refused, whatever the proxy says', async () => {
    const res = await login(trusted, { ...NGINX, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    assert.equal(res.status, 403);
    assert.equal(JSON.parse(res.body).error.code, 'CROSS_SITE_REQUEST');
  });

  test('the same proxy over plain http gives a cookie without Secure', async () => {
    const res = await login(trusted, { host: PUBLIC_HOST, 'x-forwarded-proto': 'http', origin: `http://${PUBLIC_HOST}` });
    assert.equal(res.status, 303, res.body);
    assert.doesNotMatch(cookieOf(res), /Secure/);
  });
});

describe('the same headers from an untrusted peer', () => {
  test('are ignored: the browser\'s https Origin does not match the plain origin, so its login is refused', async () => {
    for (const headers of [NGINX, FORWARDED_HOST, FORWARDED]) {
      const res = await login(untrusted, headers);
      assert.equal(res.status, 403, JSON.stringify(headers));
      assert.equal(JSON.parse(res.body).error.code, 'CROSS_SITE_REQUEST');
      assert.equal(res.headers['set-cookie'], undefined);
    }
  });

  test('are ignored: a login without Origin gets a cookie without Secure', async () => {
    const res = await request(`${untrusted.url}/login`, { method: 'POST', headers: { ...JSON_HEADERS, ...NGINX }, body: JSON.stringify({ name: 'proxied', password: 'secret-password' }) });
    assert.equal(res.status, 200);
    assert.doesNotMatch(cookieOf(res), /Secure/);
  });
});

describe('the access log\'s client address', () => {
  async function loggedIp(served: Served, headers: Record<string, string>): Promise<unknown> {
    const reqId = `ip-${Math.random().toString(36).slice(2)}`;
    await request(`${served.url}/hello`, { headers: { ...headers, 'x-request-id': reqId } });
    const line = served.lines().find((entry) => entry.msg === 'request' && entry.reqId === reqId);
    assert.ok(line !== undefined, `an access log line for ${reqId}`);
    return line.ip;
  }

  test('is the forwarded client when the peer is trusted', async () => {
    assert.equal(await loggedIp(trusted, { 'x-forwarded-for': '203.0.113.9' }), '203.0.113.9');
    assert.equal(await loggedIp(trusted, { forwarded: 'for="[2001:db8::7]:4711"' }), '2001:db8::7');
  });

  test('is the address the trusted proxy saw, not one the client wrote before it', async () => {
    // The client sent X-Forwarded-For: 6.6.6.6 itself; nginx appended the address it saw.
    assert.equal(await loggedIp(trusted, { 'x-forwarded-for': '6.6.6.6, 203.0.113.9' }), '203.0.113.9');
  });

  test('is the peer itself when the peer is not trusted, or says nothing', async () => {
    assert.equal(await loggedIp(untrusted, { 'x-forwarded-for': '203.0.113.9' }), '127.0.0.1');
    assert.equal(await loggedIp(untrusted, { forwarded: 'for=203.0.113.9' }), '127.0.0.1');
    assert.equal(await loggedIp(trusted, {}), '127.0.0.1');
  });
});
