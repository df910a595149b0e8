// Cookies over a real HTTP/1.1 socket: several Set-Cookie headers survive as separate headers, hostile values are
// encoded at set time, a bad name fails the handler (500) before anything is written, and odd Cookie headers parse.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createApp, createCookieSigner } from '../../src/index.js';
import { memoryLogger } from '../logger.js';
import { serve, type TestServer } from '../server.js';

const signer = createCookieSigner(['k'.repeat(32)]);
let server: TestServer;

before(async () => {
  const app = createApp({ log: memoryLogger().log });
  app.get('/set', (ctx) =>
    ctx
      .setCookie('a', '1', { path: '/', httpOnly: true })
      .setCookie('b', 'x\r\nSet-Cookie: evil=1', { sameSite: 'strict', secure: true })
      .setCookie('signed', signer.sign('kim'), { partitioned: true, secure: true, sameSite: 'none' })
      .clearCookie('old', { path: '/' })
      .text('ok'),
  );
  app.get('/bad-name', (ctx) => ctx.setCookie('bad name', 'x').text('never'));
  app.get('/echo', (ctx) => ctx.json({ cookies: ctx.cookies, signed: signer.unsign(ctx.cookies.signed) ?? null }));
  server = await serve(app);
});
after(() => server?.close());

test('several cookies arrive as several Set-Cookie headers, with hostile values encoded', async () => {
  const res = await fetch(`${server.url}/set`);
  assert.deepEqual(res.headers.getSetCookie(), [
    'a=1; Path=/; HttpOnly',
    'b=x%0D%0ASet-Cookie%3A%20evil%3D1; Secure; SameSite=Strict',
    `signed=${encodeURIComponent(signer.sign('kim'))}; Secure; Partitioned; SameSite=None`,
    'old=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
  ]);
});

test('a cookie with a bad name fails the handler with a 500 and no partial headers', async () => {
  const res = await fetch(`${server.url}/bad-name`);
  assert.equal(res.status, 500);
  assert.deepEqual(res.headers.getSetCookie(), []);
});

test('reads duplicate, quoted, encoded and broken cookies without failing', async () => {
  const res = await fetch(`${server.url}/echo`, { headers: { cookie: `a=first; a=second; q="quoted"; e=%E2%9C%93; bad=%E0%A4%A; =x; junk; signed=${signer.sign('kim')}` } });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    cookies: { a: 'first', q: 'quoted', e: '✓', bad: '%E0%A4%A', signed: signer.sign('kim') },
    signed: 'kim',
  });
});

test('a tampered signed cookie reads as unsigned', async () => {
  const res = await fetch(`${server.url}/echo`, { headers: { cookie: `signed=${signer.sign('kim').replace('kim', 'adm')}` } });
  assert.equal(((await res.json()) as { signed: string | null }).signed, null);
});
