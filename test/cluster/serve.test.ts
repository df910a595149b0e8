import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { request } from '../core/client.js';
import { throwawayCerts } from '../tls/certs.js';
import { h2Connect, h2Request, httpsGet } from '../tls/clients.js';
import { removeDataDirs, servedBy, startCluster } from './harness.js';

after(removeDataDirs);

// Round-robin hands each new connection to the next worker: requests on fresh connections reach every worker.
const FRESH = 12;

test('a cluster of 2 answers over HTTP from both workers and stops with exit 0 on SIGTERM', { timeout: 120_000 }, async () => {
  const cluster = await startCluster();
  try {
    assert.equal(cluster.workers.length, 2);
    for (let i = 0; i < FRESH; i++) assert.equal((await request(`${cluster.url}/hello`)).body, 'Hello Node!');
    await cluster.waitFor(`${FRESH} access lines`, () => cluster.logs.filter((l) => l.msg === 'request' && l.path === '/hello').length === FRESH);
    assert.deepEqual([...servedBy(cluster.logs, '/hello')].sort(), [...cluster.workers].sort());
    const started = cluster.logs.filter((l) => l.msg === 'worker started');
    assert.deepEqual(started.map((l) => l.workerPid).sort(), [...cluster.workers].sort(), 'each start is logged with its pid');
    assert.ok(!servedBy(cluster.logs, '/hello').has(cluster.child.pid!), 'the primary serves no request');
  } finally {
    assert.equal(await cluster.stop('SIGTERM'), 0);
  }
  const exits = cluster.logs.filter((l) => l.msg === 'worker exited');
  assert.deepEqual(exits.map((l) => [l.code, l.planned, l.cause]), [
    [0, true, 'stop'],
    [0, true, 'stop'],
  ]);
});

test('a cluster of 2 answers over HTTPS and HTTP/2 on one port, from both workers', { timeout: 120_000 }, async () => {
  const certs = await throwawayCerts();
  const cluster = await startCluster({ args: ['--cert', certs.certFile, '--key', certs.keyFile, '--http2'] });
  try {
    assert.match(cluster.url, /^https:\/\//);
    const replies = [];
    for (let i = 0; i < FRESH / 2; i++) {
      replies.push(await httpsGet(`${cluster.url}/hello`, certs.certPem));
      const session = await h2Connect(cluster.url, certs.certPem);
      try {
        replies.push({ ...(await h2Request(session, '/hello')), alpn: 'h2' });
      } finally {
        session.close();
      }
    }
    assert.deepEqual(new Set(replies.map((r) => `${r.alpn} ${r.status} ${r.body}`)), new Set(['http/1.1 200 Hello Node!', 'h2 200 Hello Node!']));
    await cluster.waitFor(`${FRESH} access lines`, () => cluster.logs.filter((l) => l.msg === 'request' && l.path === '/hello').length === FRESH);
    assert.equal(servedBy(cluster.logs, '/hello').size, 2);
  } finally {
    await cluster.stop();
    await certs.cleanup();
  }
});

/** Sends raw bytes and collects what comes back until the server closes the connection. */
function rawClient(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<unknown> }> {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.setEncoding('latin1').on('data', (chunk: string) => (text += chunk));
  socket.on('error', () => {});
  const closed = once(socket, 'close');
  return once(socket, 'connect').then(() => ({ socket, received: () => text, closed }));
}

test('SIGTERM to the primary lets every request in flight complete, then exits 0', { timeout: 120_000 }, async () => {
  const cluster = await startCluster();
  const port = Number(new URL(cluster.url).port);
  const clients = await Promise.all(Array.from({ length: 6 }, () => rawClient(port)));
  // A first request on each connection puts it in a worker; the second is still arriving when the signal comes.
  for (const client of clients) client.socket.write('GET /hello HTTP/1.1\r\nHost: x\r\n\r\n');
  const deadline = Date.now() + 30_000;
  while (!clients.every((c) => c.received().includes('Hello Node!')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.ok(clients.every((c) => c.received().includes('Hello Node!')), 'each connection answered once');
  for (const client of clients) client.socket.write('GET /hello HTTP/1.1\r\nHost: x\r\n');
  await new Promise((resolve) => setTimeout(resolve, 200));
  cluster.child.kill('SIGTERM');
  await cluster.waitFor('both workers draining', () => cluster.logs.filter((l) => l.msg === 'draining: asked by the primary').length === 2);
  // Past the drain's idle sweep: a request still arriving is not idle, and nothing is cut.
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(cluster.child.exitCode, null, 'the primary waits for the requests in flight');
  for (const client of clients) client.socket.write('\r\n');
  await Promise.all(clients.map((c) => c.closed));
  for (const client of clients) {
    const answers = client.received().split('HTTP/1.1 ').slice(1);
    assert.equal(answers.length, 2);
    assert.match(answers[1]!, /^200 OK\r\n[^]*connection: close\r\n[^]*Hello Node!$/i);
  }
  assert.equal((await cluster.exited).code, 0);
});

test('a session created on one worker is valid on every worker', { timeout: 120_000 }, async () => {
  const cluster = await startCluster();
  try {
    const json = { 'content-type': 'application/json' };
    const account = JSON.stringify({ name: '철수', password: 'cheolsu-password' });
    const created = await request(`${cluster.url}/users`, { method: 'POST', headers: json, body: account });
    assert.equal(created.status, 201);
    const login = await request(`${cluster.url}/login`, { method: 'POST', headers: json, body: account });
    assert.equal(login.status, 200);
    const cookie = [login.headers['set-cookie'] ?? []].flat()[0]!.split(';')[0]!;
    const answers = [];
    for (let i = 0; i < FRESH; i++) answers.push(await request(`${cluster.url}/me`, { headers: { cookie } }));
    assert.deepEqual(new Set(answers.map((a) => `${a.status} ${a.body}`)), new Set([`200 ${JSON.stringify({ id: JSON.parse(created.body).id, name: '철수' })}`]));
    await cluster.waitFor(`${FRESH} access lines`, () => cluster.logs.filter((l) => l.msg === 'request' && l.path === '/me').length === FRESH);
    assert.equal(servedBy(cluster.logs, '/me').size, 2, 'both workers answered with the session');
  } finally {
    await cluster.stop();
  }
});

test('/metrics on the metrics port counts the requests of both workers, and is not on the public port', { timeout: 120_000 }, async () => {
  const cluster = await startCluster({ args: ['--metrics-port', '0'] });
  try {
    const metricsUrl = (await cluster.waitFor('the metrics URL', (l) => typeof l.msg === 'string' && l.msg.startsWith('metrics on'))).url as string;
    assert.match(metricsUrl, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    for (let i = 0; i < FRESH; i++) await request(`${cluster.url}/hello`);
    await cluster.waitFor(`${FRESH} access lines`, () => cluster.logs.filter((l) => l.msg === 'request' && l.path === '/hello').length === FRESH);
    assert.equal(servedBy(cluster.logs, '/hello').size, 2);
    const text = (await request(metricsUrl)).body;
    assert.match(text, new RegExp(`^http_requests_total\\{method="GET",route="/hello",status="200"\\} ${FRESH}$`, 'm'));
    assert.match(text, new RegExp(`^http_request_duration_seconds_count\\{method="GET",route="/hello",status="200"\\} ${FRESH}$`, 'm'));
    for (const pid of cluster.workers) assert.match(text, new RegExp(`^maru_worker_resident_memory_bytes\\{pid="${pid}"\\} \\d+`, 'm'));
    assert.match(text, /^maru_workers_ready 2$/m);
    assert.match(text, /^maru_worker_restarts_total\{cause="crash"\} 0$/m);
    assert.equal((await request(`${cluster.url}/metrics`)).status, 404);
  } finally {
    await cluster.stop();
  }
});
