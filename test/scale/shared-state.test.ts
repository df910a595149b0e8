import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { STEPS } from '../../app/users/migrations/steps.js';
import { DATABASE_URL } from '../services.js';
import { h2Connect, h2Request } from '../tls/clients.js';
import { cookiePair, scaleSkip, startScale, type EdgeResponse, type Scale } from './harness.js';

const skip = await scaleSkip();
const JSON_TYPE = { 'content-type': 'application/json' };

describe('two instances behind nginx share one PostgreSQL and one Redis', { skip, timeout: 120_000 }, () => {
  let scale: Scale;
  before(async () => {
    scale = await startScale();
  });
  after(() => scale?.close());

  async function signUp(name: string, password: string): Promise<{ id: string; cookie: string; setCookie: string }> {
    const body = JSON.stringify({ name, password });
    const created = await scale.request('/users', { method: 'POST', headers: JSON_TYPE, body });
    assert.equal(created.status, 201, created.body);
    const login = await scale.request('/login', { method: 'POST', headers: JSON_TYPE, body });
    assert.equal(login.status, 200, login.body);
    const setCookie = [login.headers['set-cookie'] ?? []].flat()[0]!;
    return { id: (JSON.parse(created.body) as { id: string }).id, cookie: cookiePair(setCookie), setCookie };
  }

  test('instances started at once on a fresh schema apply each migration exactly once', async () => {
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    const { rows } = await admin.query(`SELECT version FROM ${scale.schema}.schema_migrations ORDER BY version`).finally(() => admin.end());
    assert.deepEqual(rows.map((row: { version: number }) => row.version), STEPS.map((step) => step.version));
    for (const instance of scale.instances) assert.ok(instance.logs.some((line) => line.msg === 'storage ready'), instance.name);
  });

  test('a session made through one instance is valid on every one: 50 requests, both instances answer', async () => {
    const { id, cookie } = await signUp(`scale-${randomBytes(3).toString('hex')}`, 'scale-password');
    const answers = [];
    for (let i = 0; i < 50; i++) answers.push(await scale.request('/me', { headers: { cookie } }));
    assert.deepEqual(answers.filter((res) => res.status !== 200).map((res) => `${res.status} ${res.upstream}`), []);
    assert.ok(answers.every((res) => (JSON.parse(res.body) as { id: string }).id === id));
    const served = new Set(answers.map((res) => res.upstream));
    assert.deepEqual([...served].sort(), [scale.address(0), scale.address(1)].sort());
  });

  test('a rename made through one instance is read back through the other', async () => {
    const { id, cookie } = await signUp(`rename-${randomBytes(3).toString('hex')}`, 'scale-password');
    const newName = `renamed-${randomBytes(3).toString('hex')}`;
    const put = await scale.request(`/users/${id}`, { method: 'PUT', headers: { ...JSON_TYPE, cookie }, body: JSON.stringify({ name: newName }) });
    assert.equal(put.status, 200, put.body);
    const reads: EdgeResponse[] = [];
    // Round robin: the next request or the one after goes to the other instance; a few more leave room for noise.
    for (let i = 0; i < 6 && !reads.some((res) => res.upstream !== put.upstream); i++) reads.push(await scale.request(`/users/${id}`));
    const other = reads.find((res) => res.upstream !== put.upstream);
    assert.ok(other, `every read went to ${put.upstream}`);
    assert.equal(other.status, 200);
    assert.equal((JSON.parse(other.body) as { name: string }).name, newName);
  });

  test('logging out through one instance ends the session on every instance', async () => {
    const { cookie } = await signUp(`logout-${randomBytes(3).toString('hex')}`, 'scale-password');
    const logout = await scale.request('/logout', { method: 'POST', headers: { cookie } });
    assert.equal(logout.status, 303);
    const direct = await Promise.all(scale.instances.map((instance) => fetch(`${instance.url}/me`, { headers: { cookie } })));
    assert.deepEqual(direct.map((res) => res.status), [401, 401]);
  });

  test('the session cookie is Secure behind nginx; a direct request claiming X-Forwarded-Proto: https gets none', async () => {
    const name = `secure-${randomBytes(3).toString('hex')}`;
    const { setCookie } = await signUp(name, 'scale-password');
    assert.match(setCookie, /;\s*Secure/i);
    const direct = await fetch(`${scale.instances[0]!.url}/login`, {
      method: 'POST',
      headers: { ...JSON_TYPE, 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' },
      body: JSON.stringify({ name, password: 'scale-password' }),
    });
    assert.equal(direct.status, 200);
    assert.doesNotMatch(direct.headers.getSetCookie()[0]!, /;\s*Secure/i);
  });

  /** The access-log line an instance wrote for a request to `path`, once it is there. */
  async function accessLine(path: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const line = scale.instances.flatMap((instance) => instance.logs).find((entry) => entry.msg === 'request' && entry.path === path);
      if (line !== undefined) return line;
      if (Date.now() > deadline) throw new Error(`no access-log line for ${path}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  test("the client address is the one nginx forwards, not one the client wrote, through nginx or straight to an instance", async () => {
    const spoofs = { 'x-forwarded-for': '203.0.113.9', forwarded: 'for=203.0.113.10;proto=http;host=evil.example' };
    const viaNginx = `/probe-${randomBytes(4).toString('hex')}`;
    // The client connects from 127.0.0.3: only nginx's X-Forwarded-For can have told the instance so.
    const res = await scale.request(viaNginx, { headers: spoofs, localAddress: '127.0.0.3' });
    assert.equal(res.status, 404);
    const direct = `/probe-${randomBytes(4).toString('hex')}`;
    assert.equal((await fetch(`${scale.instances[0]!.url}${direct}`, { headers: spoofs })).status, 404);
    const [nginxLine, directLine] = [await accessLine(viaNginx), await accessLine(direct)];
    assert.equal(nginxLine.ip, '127.0.0.3');
    assert.equal(directLine.ip, '127.0.0.1');
  });

  test("each instance's origin is nginx's, port included: a form from it passes the same-origin check, another site's does not", async () => {
    const post = (origin: string) => scale.request('/logout', { method: 'POST', headers: { origin, 'sec-fetch-site': 'same-origin' } });
    assert.equal((await post(scale.url)).status, 303);
    assert.equal((await post('https://evil.example')).status, 403);
    // Straight to an instance, a forwarded host and scheme from an untrusted peer change nothing.
    const direct = await fetch(`${scale.instances[1]!.url}/logout`, {
      method: 'POST',
      headers: { origin: scale.url, 'x-forwarded-host': new URL(scale.url).host, 'x-forwarded-proto': 'https' },
      redirect: 'manual',
    });
    assert.equal(direct.status, 403);
  });

  test('nginx speaks HTTP/2 at the edge: on one h2 connection the session holds on both instances, and a form from its origin passes', async () => {
    const { cookie } = await signUp(`h2-${randomBytes(3).toString('hex')}`, 'scale-password');
    const session = await h2Connect(scale.url, scale.ca);
    try {
      assert.equal(session.alpnProtocol, 'h2');
      const answers = await Promise.all(Array.from({ length: 10 }, () => h2Request(session, '/me', { headers: { cookie } })));
      assert.deepEqual(answers.map((res) => res.status), Array(10).fill(200));
      assert.deepEqual([...new Set(answers.map((res) => res.headers['x-upstream']))].sort(), [scale.address(0), scale.address(1)].sort());
      // The origin a browser sends over HTTP/2 comes from :authority; nginx forwards it, port included.
      const logout = await h2Request(session, '/logout', { method: 'POST', headers: { origin: scale.url, 'sec-fetch-site': 'same-origin', cookie } });
      assert.equal(logout.status, 303);
    } finally {
      session.close();
    }
  });

  test('every log line of an instance names it', () => {
    for (const instance of scale.instances) {
      assert.ok(instance.logs.length > 0);
      assert.deepEqual([...new Set(instance.logs.map((line) => line.instance))], [instance.name]);
    }
  });

  test('static files come from nginx with the headers maru gives them', async () => {
    const fromNginx = await scale.request('/static/style.css');
    const fromMaru = await fetch(`${scale.instances[0]!.url}/static/style.css`);
    assert.equal(fromNginx.status, 200);
    assert.equal(fromNginx.upstream, '', 'no instance was asked');
    assert.equal(fromNginx.body, await fromMaru.text());
    for (const name of ['cache-control', 'content-security-policy', 'x-frame-options', 'x-content-type-options', 'referrer-policy']) {
      assert.equal(fromNginx.headers[name], fromMaru.headers.get(name), name);
    }
    assert.equal(fromNginx.headers['content-type'], 'text/css; charset=utf-8');
  });

  // Login throttling in the session store's backend is on another branch (sessions15); until it lands on main this
  // test runs as a todo: it states the documented behaviour and reports, without failing the run, that it fails.
  const throttling = existsSync(fileURLToPath(new URL('../../app/auth/throttle.ts', import.meta.url)));
  test('failed logins for one name split between both instances reach the per-name limit together', { todo: throttling ? false : 'needs login throttling (sessions15)' }, async () => {
    const name = `throttled-${randomBytes(3).toString('hex')}`;
    await signUp(name, 'the-right-password');
    // The documented limit: 10 failed logins per name in 15 minutes, then 429 (README, "login and registration limits").
    const failures = [];
    for (let i = 0; i < 10; i++) {
      failures.push(await scale.request('/login', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ name, password: `wrong-${i}` }) }));
    }
    assert.deepEqual(failures.map((res) => res.status), Array(10).fill(401));
    assert.deepEqual([...new Set(failures.map((res) => res.upstream))].sort(), [scale.address(0), scale.address(1)].sort());
    const next = await scale.request('/login', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ name, password: 'the-right-password' }) });
    assert.equal(next.status, 429, 'the eleventh attempt is refused, whichever instance it reaches');
  });
});
