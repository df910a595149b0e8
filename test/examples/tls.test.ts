// examples/server1-3.ts (HTTPS) and server1-4.ts (HTTP/2) with the development certificate they make, over sockets.
import assert from 'node:assert/strict';
import { stat, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { request } from '../core/client.js';
import { h2Connect, h2Request, httpsGet } from '../tls/clients.js';
import { startExample } from './run.js';

let dataDir: string;
before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'maru-example-tls-'));
});
after(() => rm(dataDir, { recursive: true, force: true }));

test('server1-3 serves HTTPS with a dev certificate it keeps (key 0600), and redirects plain HTTP there with 308', async () => {
  const server = await startExample('server1-3', { env: { DATA_DIR: dataDir }, urlCount: 2 });
  try {
    const [httpsUrl, httpUrl] = server.urls as [string, string];
    const ca = await readFile(join(dataDir, 'dev-cert.pem'), 'utf8');
    const page = await httpsGet(httpsUrl, ca);
    const redirect = await request(`${httpUrl}/a?b=1`);
    const key = await stat(join(dataDir, 'dev-key.pem'));
    assert.match(httpsUrl, /^https:/);
    assert.equal(page.status, 200);
    assert.match(page.body, /Hello Node!/);
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers.location, `${httpsUrl}/a?b=1`);
    assert.equal(key.mode & 0o777, 0o600);
  } finally {
    await server.stop();
  }
});

test('server1-4 speaks HTTP/2 to a client that offers it and HTTP/1.1 to one that does not, on one port', async () => {
  const server = await startExample('server1-4', { env: { DATA_DIR: dataDir } });
  const url = server.urls[0]!;
  const ca = await readFile(join(dataDir, 'dev-cert.pem'), 'utf8');
  const session = await h2Connect(url, ca);
  try {
    const h2 = await h2Request(session, '/');
    const h1 = await httpsGet(url, ca);
    assert.equal(session.alpnProtocol, 'h2');
    assert.equal(h2.status, 200);
    assert.match(h2.body, /Hello Server! \(HTTP\/2\.0\)/);
    assert.equal(h1.alpn, 'http/1.1');
    assert.match(h1.body, /Hello Server! \(HTTP\/1\.1\)/);
  } finally {
    session.close();
    await server.stop();
  }
});
