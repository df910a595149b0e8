// examples/restServer.ts: the book's users API and its front end on maru, over sockets — and the inputs that
// crash or fool the book's version.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { raw, request, statusOf } from '../core/client.js';
import { startExample, type RunningExample } from './run.js';

let server: RunningExample;
let url: string;
before(async () => {
  server = await startExample('restServer');
  url = server.urls[0]!;
});
after(() => server.stop());

const json = (method: string, body: unknown) => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('restServer serves the front end: the page, its script, and About', async () => {
  const [page, script, about] = await Promise.all([request(url), request(`${url}/restFront.js`), request(`${url}/about`)]);
  assert.equal(page.status, 200);
  assert.match(page.body, /<script src="\.\/restFront\.js"><\/script>/);
  assert.equal(script.status, 200);
  assert.match(String(script.headers['content-type']), /javascript/);
  assert.equal(about.status, 200);
  assert.match(about.body, /소개 페이지입니다/);
});

test('restServer registers, lists, renames and deletes a user under an id it made', async () => {
  const created = await request(`${url}/user`, json('POST', { name: '제로' }));
  const { id, name } = JSON.parse(created.body) as { id: string; name: string };
  const listed = JSON.parse((await request(`${url}/users`)).body) as Record<string, string>;
  const renamed = await request(`${url}/user/${id}`, json('PUT', { name: 'zero' }));
  const listedAgain = JSON.parse((await request(`${url}/users`)).body) as Record<string, string>;
  const deleted = await request(`${url}/user/${id}`, { method: 'DELETE' });
  const listedLast = JSON.parse((await request(`${url}/users`)).body) as Record<string, string>;
  assert.equal(created.status, 201);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(created.headers.location, `/user/${id}`);
  assert.equal(name, '제로');
  assert.equal(listed[id], '제로');
  assert.equal(renamed.status, 200);
  assert.equal(listedAgain[id], 'zero');
  assert.equal(deleted.status, 204);
  assert.equal(listedLast[id], undefined);
});

test('restServer answers malformed JSON with 400 and keeps running', async () => {
  const bad = await request(`${url}/user`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' });
  const later = await request(`${url}/users`);
  assert.equal(bad.status, 400);
  assert.equal(JSON.parse(bad.body).error.code, 'MALFORMED_JSON');
  assert.equal(later.status, 200);
});

test('restServer refuses a wrong type with 415, a body over 1 KiB with 413, and a bad name with 400', async () => {
  const stored = (await request(`${url}/users`)).body;
  const [asText, tooBig, empty, notString, control] = await Promise.all([
    request(`${url}/user`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'zero' }),
    request(`${url}/user`, json('POST', { name: 'x'.repeat(2000) })),
    request(`${url}/user`, json('POST', { name: '  ' })),
    request(`${url}/user`, json('POST', { name: ['zero'] })),
    request(`${url}/user`, json('POST', { name: 'ze\u0000ro' })),
  ]);
  assert.deepEqual([asText.status, tooBig.status, empty.status, notString.status, control.status], [415, 413, 400, 400, 400]);
  assert.equal((await request(`${url}/users`)).body, stored, 'nothing was stored');
});

test('restServer answers 404 to an id it never made, __proto__ included, and changes nothing', async () => {
  const stored = (await request(`${url}/users`)).body;
  const [put, del, proto] = await Promise.all([
    request(`${url}/user/1700000000000`, json('PUT', { name: 'x' })),
    request(`${url}/user/1700000000000`, { method: 'DELETE' }),
    request(`${url}/user/__proto__`, json('PUT', { name: 'x' })),
  ]);
  assert.deepEqual([put.status, del.status, proto.status], [404, 404, 404]);
  assert.equal((await request(`${url}/users`)).body, stored);
});

test('restServer answers a wrong method with 405 and Allow', async () => {
  const answer = await request(`${url}/users`, { method: 'DELETE' });
  assert.equal(answer.status, 405);
  assert.match(String(answer.headers.allow), /GET/);
});

test('restServer refuses a path that leaves the front end folder', async () => {
  const port = Number(new URL(url).port);
  const reply = await raw(port, 'GET /../../package.json HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n', 30_000);
  assert.ok([400, 403, 404].includes(statusOf(reply.text)), reply.text.slice(0, 100));
  assert.doesNotMatch(reply.text, /"name": "maru"/);
});

test('restServer refuses a write from another site with 403', async () => {
  const answer = await request(`${url}/user`, { ...json('POST', { name: 'zero' }), headers: { 'content-type': 'application/json', origin: 'https://evil.example' } });
  assert.equal(answer.status, 403);
});
