// The book's first examples on maru (examples/server1.ts, server1-2.ts, server2.ts), run as the reader runs them
// and checked over real sockets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { request } from '../core/client.js';
import { startExample } from './run.js';

test('server1 answers its page, and a second copy on the same port says in one line that the port is taken', async () => {
  const first = await startExample('server1');
  try {
    const page = await request(first.urls[0]!);
    const port = new URL(first.urls[0]!).port;
    const second = await startExample('server1', { env: { PORT: port } }).then(
      () => 'started',
      (err: Error) => err.message,
    );
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html; charset=utf-8/);
    assert.match(page.body, /<h1>Hello Node!<\/h1><p>Hello Server!<\/p>/);
    assert.match(second, /exited before printing/);
    assert.match(second, new RegExp(`server1: port ${port} is already in use`));
  } finally {
    await first.stop();
  }
});

test('server1 stops on SIGTERM with exit code 0', async () => {
  const server = await startExample('server1');
  assert.equal(await server.stop(), 0);
});

test('server1-2 listens on two ports, and both answer the same page', async () => {
  const server = await startExample('server1-2', { env: { PORT: '0,0' }, urlCount: 2 });
  try {
    assert.equal(server.urls.length, 2);
    assert.notEqual(server.urls[0], server.urls[1]);
    const pages = await Promise.all(server.urls.map((url) => request(url)));
    assert.deepEqual(pages.map((p) => p.status), [200, 200]);
    assert.equal(pages[0]!.body, pages[1]!.body);
    assert.match(pages[0]!.body, /Hello Node!/);
  } finally {
    await server.stop();
  }
});

test('server2 serves its HTML file, with a validator that makes a repeat visit a 304', async () => {
  const server = await startExample('server2');
  try {
    const page = await request(server.urls[0]!);
    const again = await request(server.urls[0]!, { headers: { 'if-none-match': String(page.headers.etag) } });
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>Node\.js 웹 서버<\/title>/);
    assert.ok(page.headers.etag);
    assert.equal(again.status, 304);
    assert.equal(again.body, '');
  } finally {
    await server.stop();
  }
});

test('server2 refuses paths that leave its folder, plain or percent-encoded, and never sends the file', async () => {
  const server = await startExample('server2');
  try {
    const url = server.urls[0]!;
    // node:http sends the path as written: no client-side normalisation of '..'.
    const answers = await Promise.all(['/../../package.json', '/%2e%2e/%2e%2e/package.json', '/..%2f..%2fpackage.json'].map((path) => request(url + path)));
    for (const answer of answers) {
      assert.ok(answer.status === 403 || answer.status === 404 || answer.status === 400, `status ${answer.status}`);
      assert.doesNotMatch(answer.body, /"name": "maru"/);
    }
  } finally {
    await server.stop();
  }
});
