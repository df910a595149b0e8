import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApp } from '../app.js';
import { inject } from '../testing/inject.js';
import { memoryLogger } from '../../test/logger.js';
import { sameOrigin } from './same-origin.js';

function app(allow?: string[]) {
  const a = createApp({ log: memoryLogger().log });
  a.use(sameOrigin(allow === undefined ? {} : { allow }));
  a.post('/change', (ctx) => ctx.text('changed'));
  a.get('/read', (ctx) => ctx.text('read'));
  return a;
}

const cases: [claim: string, headers: Record<string, string>, status: number][] = [
  ['passes a POST whose Origin is this server', { origin: 'http://localhost' }, 200],
  ['refuses a POST from a foreign Origin', { origin: 'https://evil.example' }, 403],
  ['refuses a POST whose Origin differs only in scheme', { origin: 'https://localhost' }, 403],
  ['refuses a POST whose Origin differs only in port', { origin: 'http://localhost:8081' }, 403],
  ['refuses a POST with Origin null (sandboxed frame)', { origin: 'null' }, 403],
  ['refuses a POST marked Sec-Fetch-Site: cross-site even with a matching Origin', { origin: 'http://localhost', 'sec-fetch-site': 'cross-site' }, 403],
  ['passes a POST marked Sec-Fetch-Site: same-origin', { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' }, 200],
  ['falls back to the Referer when there is no Origin', { referer: 'http://localhost/page?x=1' }, 200],
  ['refuses a foreign Referer when there is no Origin', { referer: 'https://evil.example/form' }, 403],
  ['refuses a malformed Referer', { referer: 'not a url' }, 403],
  ['passes a POST with neither Origin nor Referer (not a browser page)', {}, 200],
  ['refuses a POST marked Sec-Fetch-Site: cross-site that has neither Origin nor Referer', { 'sec-fetch-site': 'cross-site' }, 403],
];

for (const [claim, headers, status] of cases) {
  test(claim, async () => {
    const res = await inject(app(), { method: 'POST', url: '/change', headers });
    assert.equal(res.status, status);
    if (status === 403) assert.equal(res.json<{ error: { code: string } }>().error.code, 'CROSS_SITE_REQUEST');
  });
}

test('never checks safe methods', async () => {
  const res = await inject(app(), { url: '/read', headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
  assert.equal(res.status, 200);
});

test('passes an explicitly allowed origin', async () => {
  const res = await inject(app(['https://admin.example']), { method: 'POST', url: '/change', headers: { origin: 'https://admin.example' } });
  assert.equal(res.status, 200);
});

test('compares against https when the request came over TLS', async () => {
  const res = await inject(app(), { method: 'POST', url: '/change', secure: true, headers: { origin: 'https://localhost' } });
  assert.equal(res.status, 200);
});

test('throws at set-up for an allow entry that is not an origin', () => {
  assert.throws(() => sameOrigin({ allow: ['example.com'] }), /option allow/);
});

test('passes an allowed origin even when the browser marks it Sec-Fetch-Site: cross-site', async () => {
  const res = await inject(app(['https://admin.example']), {
    method: 'POST',
    url: '/change',
    headers: { origin: 'https://admin.example', 'sec-fetch-site': 'cross-site' },
  });
  assert.equal(res.status, 200);
});

test('with an allow list, still refuses a cross-site POST from an origin not on it', async () => {
  const res = await inject(app(['https://admin.example']), {
    method: 'POST',
    url: '/change',
    headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
  });
  assert.equal(res.status, 403);
});

function strictApp() {
  const a = createApp({ log: memoryLogger().log });
  a.use(sameOrigin({ strict: true }));
  a.post('/change', (ctx) => ctx.text('changed'));
  return a;
}

test('strict mode refuses a POST with neither Origin nor Referer with 403 ORIGIN_REQUIRED', async () => {
  const res = await inject(strictApp(), { method: 'POST', url: '/change' });
  assert.equal(res.status, 403);
  assert.equal(res.json<{ error: { code: string } }>().error.code, 'ORIGIN_REQUIRED');
});

test('strict mode passes a POST that sends this server\'s Origin', async () => {
  const res = await inject(strictApp(), { method: 'POST', url: '/change', headers: { origin: 'http://localhost' } });
  assert.equal(res.status, 200);
});

test('throws at set-up for an allow entry with an opaque origin, which would let Origin: null through', () => {
  assert.throws(() => sameOrigin({ allow: ['file:///srv/page.html'] }), /option allow/);
});

test('throws at set-up for a strict option that is not a boolean', () => {
  assert.throws(() => sameOrigin({ strict: 'yes' as unknown as boolean }), /option strict/);
});
