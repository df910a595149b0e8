import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { createApp, listen, serveStatic, type App, type Listening } from '../../src/index.js';
import { memoryLogger } from '../logger.js';
import { throwawayCerts, type ThrowawayCerts } from '../tls/certs.js';
import { h2Connect, h2Request, httpsGet } from '../tls/clients.js';
import { request } from './client.js';

const run = promisify(execFile);

function testApp(dir: string): App {
  const app = createApp({ log: memoryLogger('error').log, bodyLimit: 1024 * 1024 });
  app.use(serveStatic({ root: dir }));
  app.get('/hello', (ctx) => ctx.text('Hello Node!'));
  app.get('/who', (ctx) => {
    ctx.setCookie('a', '1');
    ctx.setCookie('b', '2', { secure: ctx.secure });
    return ctx.json({ host: ctx.host, origin: ctx.origin, secure: ctx.secure, version: ctx.httpVersion, names: Object.keys(ctx.headers).sort() });
  });
  app.get('/go', (ctx) => ctx.redirect('/hello?x=1', 303));
  app.get('/stream', (ctx) => ctx.stream(Readable.from(['a', 'b', 'c']), { type: 'text/plain' }));
  app.get('/connection-headers', (ctx) => ({ status: 200, headers: { 'content-type': 'text/plain', connection: 'keep-alive', 'keep-alive': 'timeout=5', 'proxy-connection': 'x', upgrade: 'h2c' }, body: 'ok' }));
  app.post('/echo', async (ctx) => ctx.json(await ctx.body.json()));
  return app;
}

describe('HTTPS and HTTP/2 on one port', () => {
  let certs: ThrowawayCerts;
  let dir: string;
  let server: Listening;
  let plain: Listening;
  let url: string;

  before(async () => {
    certs = await throwawayCerts();
    dir = await mkdtemp(join(tmpdir(), 'maru-tls-static-'));
    await writeFile(join(dir, 'site.css'), 'body { color: teal }\n'.repeat(100));
    const app = testApp(dir);
    server = await listen(app, { port: 0, host: '127.0.0.1', tls: { certFile: certs.certFile, keyFile: certs.keyFile, http2: true } });
    plain = await listen(app, { port: 0, host: '127.0.0.1' });
    url = server.urls[0]!;
  });
  after(async () => {
    await Promise.all([server.close(), plain.close()]);
    await Promise.all([certs.cleanup(), rm(dir, { recursive: true, force: true })]);
  });

  test('reports its listener as h2 on an https URL', () => {
    assert.equal(server.listeners.length, 1);
    assert.equal(server.listeners[0]!.protocol, 'h2');
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
  });

  test('answers HTTP/1.1, HTTPS/1.1 and HTTP/2 with the same status, headers and body', async () => {
    const session = await h2Connect(url, certs.certPem);
    try {
      for (const path of ['/hello', '/stream', '/go', '/site.css', '/nope']) {
        const [h1, tls1, h2] = await Promise.all([request(`${plain.urls[0]}${path}`), httpsGet(`${url}${path}`, certs.certPem), h2Request(session, path)]);
        assert.equal(tls1.alpn, 'http/1.1');
        for (const res of [tls1, h2]) {
          assert.equal(res.status, h1.status, path);
          assert.equal(res.body, h1.body, path);
          for (const name of ['content-type', 'content-length', 'location', 'etag', 'cache-control', 'allow']) {
            assert.equal(String(res.headers[name]), String(h1.headers[name]), `${path} ${name}`);
          }
        }
      }
    } finally {
      session.close();
    }
  });

  test('gives the Context the same facts over HTTP/2: :authority as host, no pseudo-header in ctx.headers', async () => {
    const session = await h2Connect(url, certs.certPem);
    try {
      const res = await h2Request(session, '/who', { headers: { 'x-test': '1' } });
      const who = JSON.parse(res.body) as { host: string; origin: string; secure: boolean; version: string; names: string[] };
      assert.equal(who.host, new URL(url).host);
      assert.equal(who.origin, url);
      assert.equal(who.secure, true);
      assert.equal(who.version, '2.0');
      assert.ok(who.names.includes('x-test'));
      assert.ok(who.names.every((name) => !name.startsWith(':')), who.names.join());
      assert.deepEqual(res.headers['set-cookie'], ['a=1', 'b=2; Secure']);
    } finally {
      session.close();
    }
  });

  test('never sends connection-specific headers over HTTP/2', async () => {
    const session = await h2Connect(url, certs.certPem);
    try {
      const res = await h2Request(session, '/connection-headers');
      assert.equal(res.status, 200);
      assert.equal(res.body, 'ok');
      for (const name of ['connection', 'keep-alive', 'proxy-connection', 'upgrade', 'transfer-encoding']) assert.equal(res.headers[name], undefined, name);
    } finally {
      session.close();
    }
  });

  test('answers HEAD, 304 and a single range over HTTP/2 as over HTTP/1.1', async () => {
    const session = await h2Connect(url, certs.certPem);
    try {
      const head = await h2Request(session, '/site.css', { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.body, '');
      assert.equal(head.headers['content-length'], String(2100));
      const again = await h2Request(session, '/site.css', { headers: { 'if-none-match': String(head.headers.etag) } });
      assert.equal(again.status, 304);
      assert.equal(again.body, '');
      const [h2Range, h1Range] = await Promise.all([
        h2Request(session, '/site.css', { headers: { range: 'bytes=5-9' } }),
        request(`${plain.urls[0]}/site.css`, { headers: { range: 'bytes=5-9' } }),
      ]);
      assert.equal(h2Range.status, 206);
      assert.equal(h2Range.body, h1Range.body);
      assert.equal(h2Range.headers['content-range'], h1Range.headers['content-range']);
    } finally {
      session.close();
    }
  });

  test('reads request bodies with their limit over HTTP/2; a 413 ends only its stream', async () => {
    const session = await h2Connect(url, certs.certPem);
    try {
      const echoed = await h2Request(session, '/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
      assert.deepEqual(JSON.parse(echoed.body), { a: 1 });
      const wrongType = await h2Request(session, '/echo', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
      assert.equal(wrongType.status, 415);
      const tooBig = await h2Request(session, '/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.alloc(2 * 1024 * 1024, 32) });
      assert.equal(tooBig.status, 413);
      assert.equal(JSON.parse(tooBig.body).error.code, 'BODY_TOO_LARGE');
      assert.equal(tooBig.headers.connection, undefined);
      // The session was not torn down: the next stream on it is served.
      assert.equal((await h2Request(session, '/hello')).body, 'Hello Node!');
    } finally {
      session.close();
    }
  });

  test('serves curl --http2 and curl --http1.1 on the same port', async (t) => {
    const curl = await run('curl', ['--version']).catch(() => undefined);
    if (curl === undefined) {
      if (process.env.CI === 'true') assert.fail('curl is needed in CI');
      t.skip('curl is not installed');
      return;
    }
    const caFile = join(certs.dir, 'ca-for-curl.pem');
    await copyFile(certs.certFile, caFile);
    const get = async (flag: string) => (await run('curl', ['-sS', flag, '--cacert', caFile, '-o', '-', '-w', '\n%{http_version}', `${url}/hello`])).stdout;
    assert.equal(await get('--http2'), 'Hello Node!\n2');
    assert.equal(await get('--http1.1'), 'Hello Node!\n1.1');
  });

  test('advertises its HTTP/2 limits to the client', async () => {
    const session = await h2Connect(url, certs.certPem);
    try {
      await new Promise((resolve) => (session.remoteSettings.maxConcurrentStreams === 128 ? resolve(undefined) : session.once('remoteSettings', resolve)));
      assert.equal(session.remoteSettings.maxConcurrentStreams, 128);
      assert.equal(session.remoteSettings.maxHeaderListSize, 16 * 1024);
      assert.equal(session.remoteSettings.enablePush, false);
    } finally {
      session.close();
    }
  });
});

describe('listen() with TLS: shutdown, redirects, HSTS, certificates', () => {
  let certs: ThrowawayCerts;
  before(async () => {
    certs = await throwawayCerts();
  });
  after(() => certs.cleanup());

  /** GET /slow answers once `release()` is called; `reached` resolves when a request is in its handler. */
  const slowApp = () => {
    const app = createApp({ log: memoryLogger('error').log });
    let arrived!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    app.get('/hello', (ctx) => ctx.text('Hello Node!'));
    app.get('/slow', async (ctx) => {
      arrived();
      await released;
      return ctx.text('finished');
    });
    return Object.assign(app, { reached, release });
  };

  test('close() sends GOAWAY: a stream in flight finishes, a new one is refused', async () => {
    const app = slowApp();
    const server = await listen(app, { port: 0, host: '127.0.0.1', tls: { certFile: certs.certFile, keyFile: certs.keyFile, http2: true } });
    const session = await h2Connect(server.urls[0]!, certs.certPem);
    const goaway = new Promise((resolve) => session.once('goaway', resolve));
    try {
      const inFlight = h2Request(session, '/slow');
      // The stream is in its handler before close() (no sleep guessing how long that takes), and ends after GOAWAY.
      await app.reached;
      const closed = server.close();
      await goaway;
      app.release();
      const res = await inFlight;
      assert.equal(res.status, 200);
      assert.equal(res.body, 'finished');
      await assert.rejects(h2Request(session, '/hello'));
      await closed;
    } finally {
      session.destroy();
    }
  });

  test('redirects plain HTTP with 308 to the same path and query on the HTTPS port', async () => {
    const server = await listen(slowApp(), { port: 0, host: '127.0.0.1', tls: { certFile: certs.certFile, keyFile: certs.keyFile }, redirectHttp: 0 });
    try {
      const [https, redirect] = server.listeners;
      assert.equal(https!.protocol, 'https');
      assert.equal(redirect!.protocol, 'redirect');
      const res = await request(`${redirect!.url}/a/b?x=1&y=%20`, { method: 'POST', headers: { host: 'example.com:8080' }, body: 'ignored' });
      assert.equal(res.status, 308);
      assert.equal(res.headers.location, `https://example.com:${https!.port}/a/b?x=1&y=%20`);
      const noHost = await request(`${redirect!.url}/a`, { headers: { host: 'bad host' } });
      assert.equal(noHost.status, 400);
    } finally {
      await server.close();
    }
  });

  test('sends Strict-Transport-Security over HTTPS/1.1 and HTTP/2 only when asked', async () => {
    const withHsts = await listen(slowApp(), { port: 0, host: '127.0.0.1', tls: { certFile: certs.certFile, keyFile: certs.keyFile, http2: true, hsts: 31_536_000 } });
    const without = await listen(slowApp(), { port: 0, host: '127.0.0.1', tls: { certFile: certs.certFile, keyFile: certs.keyFile, http2: true } });
    const sessions = await Promise.all([h2Connect(withHsts.urls[0]!, certs.certPem), h2Connect(without.urls[0]!, certs.certPem)]);
    try {
      assert.equal((await httpsGet(`${withHsts.urls[0]}/hello`, certs.certPem)).headers['strict-transport-security'], 'max-age=31536000');
      assert.equal((await h2Request(sessions[0], '/hello')).headers['strict-transport-security'], 'max-age=31536000');
      assert.equal((await httpsGet(`${without.urls[0]}/hello`, certs.certPem)).headers['strict-transport-security'], undefined);
      assert.equal((await h2Request(sessions[1], '/hello')).headers['strict-transport-security'], undefined);
    } finally {
      for (const session of sessions) session.close();
      await Promise.all([withHsts.close(), without.close()]);
    }
  });

  test('reloadTls() serves new connections with the new certificate and keeps the old one on a bad file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'maru-reload-'));
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    await Promise.all([copyFile(certs.certFile, certFile), copyFile(certs.keyFile, keyFile)]);
    const server = await listen(slowApp(), { port: 0, host: '127.0.0.1', tls: { certFile, keyFile } });
    const url = server.urls[0]!;
    try {
      assert.equal((await httpsGet(`${url}/hello`, certs.certPem)).peerCommonName, 'localhost');
      await Promise.all([copyFile(certs.otherCertFile, certFile), copyFile(certs.otherKeyFile, keyFile)]);
      await server.reloadTls();
      assert.equal((await httpsGet(`${url}/hello`, certs.otherCertPem)).peerCommonName, 'other.localhost');
      await copyFile(certs.keyFile, keyFile);
      await assert.rejects(server.reloadTls(), (err: Error) => err.message === `TLS key ${keyFile} does not belong to the certificate ${certFile}`);
      assert.equal((await httpsGet(`${url}/hello`, certs.otherCertPem)).peerCommonName, 'other.localhost');
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('refuses to start on a missing, non-PEM or mismatched certificate, in one line naming the file', async () => {
    const missing = join(certs.dir, 'missing.pem');
    const notPem = join(certs.dir, 'not.pem');
    await writeFile(notPem, 'hello');
    const cases: [certFile: string, keyFile: string, message: string][] = [
      [missing, certs.keyFile, `TLS file ${missing} does not exist`],
      [notPem, certs.keyFile, `TLS certificate ${notPem} is not a PEM certificate`],
      [certs.certFile, notPem, `TLS key ${notPem} is not an unencrypted PEM private key`],
      [certs.certFile, certs.otherKeyFile, `TLS key ${certs.otherKeyFile} does not belong to the certificate ${certs.certFile}`],
    ];
    for (const [certFile, keyFile, message] of cases) {
      await assert.rejects(listen(slowApp(), { port: 0, host: '127.0.0.1', tls: { certFile, keyFile } }), (err: Error) => {
        assert.equal(err.message, message);
        return true;
      });
    }
  });

  test('an HTTP/2 port still speaks HTTP/1.1 to a client that offers only it', async () => {
    const server = await listen(slowApp(), { port: 0, host: '127.0.0.1', tls: { certFile: certs.certFile, keyFile: certs.keyFile, http2: true } });
    try {
      const res = await httpsGet(`${server.urls[0]}/hello`, certs.certPem);
      assert.equal(res.alpn, 'http/1.1');
      assert.equal(res.body, 'Hello Node!');
      // A TLS client with no ALPN at all gets HTTP/1.1 too.
      const port = server.listeners[0]!.port;
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = tlsConnect({ host: '127.0.0.1', port, ca: certs.certPem, servername: 'localhost' }, () => socket.write('GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
        let text = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => (text += chunk));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      assert.match(raw, /^HTTP\/1\.1 200 OK/);
    } finally {
      await server.close();
    }
  });

  test('refuses redirect listeners without TLS, and bad TLS options, at set-up', async () => {
    await assert.rejects(listen(slowApp(), { port: 0, redirectHttp: 0 }), /option redirectHttp needs tls/);
    await assert.rejects(listen(slowApp(), { port: 0, tls: { certFile: certs.certFile } as never }), /option tls needs certFile and keyFile/);
    await assert.rejects(listen(slowApp(), { port: 0, tls: { certFile: certs.certFile, keyFile: certs.keyFile, hsts: -1 } }), /option tls.hsts/);
    await assert.rejects(listen(slowApp(), { port: 0, tls: { certFile: certs.certFile, keyFile: certs.keyFile, http2: true }, http2Limits: { maxConcurrentStreams: 0 } }), /http2Limits.maxConcurrentStreams/);
  });
});
