// Cross-site requests on every state-changing route of the member directory (`maru serve` as a process): another
// site's Origin, a Referer from there, `Origin: null`, Fetch Metadata's `cross-site` with our own Origin, and a
// form post such as a hostile page would send — each with the logged-in resident's cookie, each a 403 that changes
// nothing. Then the guard's two modes side by side on the toolkit: the default (no Origin nor Referer passes: not a
// browser) and `strict` (refused), and an allowed origin.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApp, sameOrigin } from '../../src/index.js';
import { request } from '../core/client.js';
import { memoryLogger } from '../logger.js';
import { serve, type TestServer } from '../server.js';
import { assertCleanLogs, assertIntact, assertNoLeak, sessionIdOf, signUp, snapshot, type Member } from './checks.js';
import { startProcess, type Target } from './target.js';
import { codeOf, http } from './wire.js';

type Shape = [name: string, headers: (target: Target) => Record<string, string>, form: boolean];

const shapes: Shape[] = [
  ['an Origin of another site', () => ({ origin: 'https://evil.example' }), false],
  ['a Referer from another site and no Origin', () => ({ referer: 'https://evil.example/csrf.html' }), false],
  ['Origin: null (a sandboxed frame, a data: page)', () => ({ origin: 'null' }), false],
  ['Sec-Fetch-Site: cross-site with our own Origin', (target) => ({ origin: target.url, 'sec-fetch-site': 'cross-site' }), false],
  ['a form post from another site', () => ({ origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' }), true],
  ['an Origin on another port of this host', (target) => ({ origin: `http://127.0.0.1:${target.port === 1 ? 2 : target.port - 1}` }), false],
  ['an Origin that only starts like ours', (target) => ({ origin: `${target.url}.evil.example` }), false],
  ['two Origins, ours and another', (target) => ({ origin: `${target.url}, https://evil.example` }), false],
];

/** Every route that changes something, with the body a hostile page would send to it. */
function routes(resident: Member): [method: string, path: string, fields: Record<string, string>][] {
  const self = resident.id;
  return [
    ['POST', '/users', { name: 'planted', password: 'planted-password' }],
    ['POST', '/user', { name: 'planted', password: 'planted-password' }],
    ['PUT', `/users/${self}`, { name: 'pwned' }],
    ['PUT', `/user/${self}`, { name: 'pwned' }],
    ['PATCH', `/users/${self}`, { name: 'pwned', password: 'pwned-password', currentPassword: resident.password }],
    ['PATCH', `/user/${self}`, { name: 'pwned' }],
    ['DELETE', `/users/${self}`, {}],
    ['DELETE', `/user/${self}`, {}],
    ['POST', '/login', { name: 'attacker', password: 'attacker-password' }],
    ['POST', '/logout', {}],
  ];
}

describe('cross-site requests against maru serve', () => {
  let target: Target;
  let resident: Member;

  before(async () => {
    target = await startProcess();
    resident = await signUp(target, 'resident', 'resident-password');
  });
  after(() => target.close());

  // The routes need the resident's id: the table is built once it exists, inside one test per route and shape.
  const placeholder: Member = { id: ':id', name: 'resident', password: 'resident-password', cookie: '' };
  for (const [method, path] of routes(placeholder)) {
    for (const [shape, headersOf, form] of shapes) {
      test(`answers 403 to ${method} ${path} with ${shape}, and changes nothing`, async () => {
        const [, realPath, fields] = routes(resident).find(([m, p]) => m === method && p.replace(resident.id, ':id') === path)!;
        const before = await snapshot(target, resident);
        const body = form ? new URLSearchParams(fields).toString() : JSON.stringify(fields);
        const res = await http(target, realPath, {
          method,
          headers: { cookie: resident.cookie, 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json', ...headersOf(target) },
          ...(method === 'DELETE' ? {} : { body }),
        });
        assert.equal(res.status, 403, res.body);
        assert.equal(codeOf(res.body), 'CROSS_SITE_REQUEST');
        assert.deepEqual([res.headers['set-cookie'] ?? []].flat(), [], 'no cookie set or cleared');
        assertNoLeak(res.body, [sessionIdOf(resident)]);
        await assertIntact(target, resident, before);
      });
    }
  }

  test('serves the same request from our own page (the guard lets the site work)', async () => {
    const before = await snapshot(target, resident);
    const res = await http(target, '/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: target.url, 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify({ name: 'nobody-here', password: 'some-password' }),
    });
    assert.equal(res.status, 401, 'the login itself is judged');
    await assertIntact(target, resident, before);
  });

  test('by default serves a request with neither Origin nor Referer (curl, a script: no browser cookies ride on it)', async () => {
    const before = await snapshot(target, resident);
    const res = await http(target, '/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'nobody-here', password: 'some-password' }) });
    assert.equal(res.status, 401);
    await assertIntact(target, resident, before);
  });

  test('logged no error and answered no request with a 5xx', () => {
    assertCleanLogs(target.logs(), { passwords: ['resident-password', 'pwned-password', 'planted-password', 'attacker-password'] });
  });
});

describe('sameOrigin, strict and with an allow list, over a socket', () => {
  const changed: string[] = [];
  const app = createApp({ log: memoryLogger().log });
  app.use(sameOrigin({ strict: true, allow: ['https://admin.example'] }));
  app.post('/change', (ctx) => {
    changed.push(ctx.headers.origin ?? ctx.headers.referer ?? 'none');
    return ctx.empty();
  });
  let server: TestServer;
  before(async () => {
    server = await serve(app);
  });
  after(() => server.close());

  const own = () => server.url;
  const cases: [name: string, headers: () => Record<string, string>, status: number, code?: string][] = [
    ['neither Origin nor Referer', () => ({}), 403, 'ORIGIN_REQUIRED'],
    ['an Origin of another site', () => ({ origin: 'https://evil.example' }), 403, 'CROSS_SITE_REQUEST'],
    ['a Referer of another site', () => ({ referer: 'https://evil.example/x' }), 403, 'CROSS_SITE_REQUEST'],
    ['Sec-Fetch-Site: cross-site and no Origin', () => ({ 'sec-fetch-site': 'cross-site' }), 403, 'CROSS_SITE_REQUEST'],
    ['an allowed origin the browser marks cross-site', () => ({ origin: 'https://admin.example', 'sec-fetch-site': 'cross-site' }), 204],
    ['our own Origin', () => ({ origin: own(), 'sec-fetch-site': 'same-origin' }), 204],
    ['our own Referer without Origin', () => ({ referer: `${own()}/page` }), 204],
  ];
  for (const [name, headers, status, code] of cases) {
    test(`strict: answers ${status}${code === undefined ? '' : ` ${code}`} to a POST with ${name}`, async () => {
      const before = changed.length;
      const res = await request(`${server.url}/change`, { method: 'POST', headers: headers() });
      assert.equal(res.status, status);
      if (code !== undefined) {
        assert.equal(codeOf(res.body), code);
        assert.equal(changed.length, before, 'the handler did not run');
      } else assert.equal(changed.length, before + 1);
    });
  }
});
