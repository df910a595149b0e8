import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { throwawayCerts, type ThrowawayCerts } from '../tls/certs.js';
import { h2Connect, h2Request, httpsGet } from '../tls/clients.js';
import { removeDataDirs, servedBy, startCluster, type LogLine, type MaruCluster } from './harness.js';

// One HTTPS + HTTP/2 cluster of 2 serves both tests, its certificate files in a directory of their own.
let certs: ThrowawayCerts;
let live: string;
let cluster: MaruCluster;
before(async () => {
  certs = await throwawayCerts();
  live = await mkdtemp(join(tmpdir(), 'maru-cluster-certs-'));
  await copyFile(certs.certFile, join(live, 'cert.pem'));
  await copyFile(certs.keyFile, join(live, 'key.pem'));
  cluster = await startCluster({ args: ['--cert', join(live, 'cert.pem'), '--key', join(live, 'key.pem'), '--http2'] });
});
after(async () => {
  await cluster?.stop();
  await certs?.cleanup();
  if (live !== undefined) await rm(live, { recursive: true, force: true });
  await removeDataDirs();
});

test('a cluster of 2 answers over HTTPS and HTTP/2 on one port, from both workers', async () => {
  assert.match(cluster.url, /^https:\/\//);
  const replies = [];
  for (let i = 0; i < 6; i++) {
    replies.push(await httpsGet(`${cluster.url}/hello`, certs.certPem));
    const session = await h2Connect(cluster.url, certs.certPem);
    try {
      replies.push({ ...(await h2Request(session, '/hello')), alpn: 'h2' });
    } finally {
      session.close();
    }
  }
  assert.deepEqual(new Set(replies.map((r) => `${r.alpn} ${r.status} ${r.body}`)), new Set(['http/1.1 200 Hello Node!', 'h2 200 Hello Node!']));
  await cluster.waitFor('12 access lines', () => cluster.logs.filter((l) => l.msg === 'request' && l.path === '/hello').length === 12);
  assert.equal(servedBy(cluster.logs, '/hello').size, 2);
});

test('SIGHUP reaches every worker: each re-reads its certificate, and the new workers serve the new one', async () => {
  assert.equal((await httpsGet(`${cluster.url}/hello`, certs.certPem)).peerCommonName, 'localhost');
  await copyFile(certs.otherCertFile, join(live, 'cert.pem'));
  await copyFile(certs.otherKeyFile, join(live, 'key.pem'));
  cluster.child.kill('SIGHUP');
  const reloaded = (l: LogLine, pid: number) => l.msg === 'certificates reloaded' && l.pid === pid;
  for (const pid of cluster.workers) await cluster.waitFor(`worker ${pid} re-read its certificate`, (l) => reloaded(l, pid));
  await cluster.waitFor('the reload', (l) => l.msg === 'reload done');
  assert.equal((await httpsGet(`${cluster.url}/hello`, certs.otherCertPem)).peerCommonName, 'other.localhost');
});
