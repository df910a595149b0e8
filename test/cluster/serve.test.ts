import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { request } from '../core/client.js';
import { removeDataDirs, servedBy, startCluster, type MaruCluster } from './harness.js';

// One cluster of 2 workers (with metrics) serves every test of this file, in order; the last one stops it.
let cluster: MaruCluster;
before(async () => {
  cluster = await startCluster({ args: ['--metrics-port', '0'] });
});
after(async () => {
  await cluster?.stop('SIGKILL');
  await removeDataDirs();
});

// Round-robin hands each new connection to the next worker: requests on fresh connections reach every worker.
const FRESH = 12;

/** Resolves once the access log shows `count` requests for `path` (lines reach the pipe in batches). */
const accessLines = (path: string, count: number) =>
  cluster.waitFor(`${count} access lines for ${path}`, () => cluster.logs.filter((l) => l.msg === 'request' && l.path === path).length >= count);

test('a cluster of 2 answers over HTTP from both workers; the primary serves nothing itself', async () => {
  assert.equal(cluster.workers.length, 2);
  const started = cluster.logs.filter((l) => l.msg === 'worker started');
  assert.deepEqual(started.map((l) => l.workerPid).sort(), [...cluster.workers].sort(), 'each start is logged with its pid');
  for (let i = 0; i < FRESH; i++) assert.equal((await request(`${cluster.url}/hello`)).body, 'Hello Node!');
  await accessLines('/hello', FRESH);
  assert.deepEqual([...servedBy(cluster.logs, '/hello')].sort(), [...cluster.workers].sort());
});

test('a session created on one worker is valid on every worker', async () => {
  const json = { 'content-type': 'application/json' };
  const account = JSON.stringify({ name: '철수', password: 'cheolsu-password' });
  const created = await request(`${cluster.url}/users`, { method: 'POST', headers: json, body: account });
  assert.equal(created.status, 201);
  const login = await request(`${cluster.url}/login`, { method: 'POST', headers: json, body: account });
  assert.equal(login.status, 200);
  const cookie = [login.headers['set-cookie'] ?? []].flat()[0]!.split(';')[0]!;
  const answers = [];
  for (let i = 0; i < FRESH; i++) answers.push(await request(`${cluster.url}/me`, { headers: { cookie } }));
  const me = JSON.stringify({ id: JSON.parse(created.body).id, name: '철수' });
  assert.deepEqual(new Set(answers.map((a) => `${a.status} ${a.body}`)), new Set([`200 ${me}`]));
  await accessLines('/me', FRESH);
  assert.equal(servedBy(cluster.logs, '/me').size, 2, 'both workers answered with the session');
});

test('/metrics on the metrics port counts the requests of both workers, and is not on the public port', async () => {
  const metricsUrl = (await cluster.waitFor('the metrics URL', (l) => typeof l.msg === 'string' && l.msg.startsWith('metrics on'))).url as string;
  assert.match(metricsUrl, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  const text = (await request(metricsUrl)).body;
  // The first test sent FRESH requests to /hello, and both workers served them.
  // Every series carries the instance label (the host name, as no --instance was given).
  const instance = `instance="${hostname()}"`;
  assert.match(text, new RegExp(`^http_requests_total\\{method="GET",route="/hello",status="200",${instance}\\} ${FRESH}$`, 'm'));
  assert.match(text, new RegExp(`^http_request_duration_seconds_count\\{method="GET",route="/hello",status="200",${instance}\\} ${FRESH}$`, 'm'));
  assert.match(text, new RegExp(`^http_requests_total\\{method="GET",route="/me",status="200",${instance}\\} ${FRESH}$`, 'm'));
  for (const pid of cluster.workers) assert.match(text, new RegExp(`^maru_worker_resident_memory_bytes\\{pid="${pid}",${instance}\\} \\d+`, 'm'));
  assert.match(text, new RegExp(`^maru_workers_ready\\{${instance}\\} 2$`, 'm'));
  assert.match(text, new RegExp(`^maru_worker_restarts_total\\{cause="crash",${instance}\\} 0$`, 'm'));
  assert.equal((await request(`${cluster.url}/metrics`)).status, 404);
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

test('SIGTERM to the primary lets every request in flight complete, then every worker and the primary exit 0', async () => {
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
  const exits = cluster.logs.filter((l) => l.msg === 'worker exited');
  assert.deepEqual(exits.map((l) => [l.code, l.planned, l.cause]), [
    [0, true, 'stop'],
    [0, true, 'stop'],
  ]);
});
