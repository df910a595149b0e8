// The README's nginx example, run for real: nginx terminates TLS (HTTP/2 and HTTP/1.1) and proxies plain HTTP to
// `maru serve --trust-proxy loopback`. nginx listens on a Unix socket in a temp dir, so the test takes no port of
// its own; the clients connect to that socket and name the public host themselves, as a browser would.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect as h2Connect, type ClientHttp2Session } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { startMaru, type MaruProcess } from '../app-process.js';
import { throwawayCerts, type ThrowawayCerts } from '../tls/certs.js';
import { h2Request, type H2Response } from '../tls/clients.js';

const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';
// The public origin, on 443: what the browser names in Host and Origin.
const PUBLIC_HOST = 'localhost';
const PUBLIC_ORIGIN = `https://${PUBLIC_HOST}`;
const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: PUBLIC_ORIGIN, 'sec-fetch-site': 'same-origin' };

function nginxSkip(): string | false {
  if (existsSync(NGINX)) return false;
  const reason = `nginx is not installed at ${NGINX} (apt-get install -y nginx)`;
  if (process.env.CI === 'true') throw new Error(`${reason}, and CI=true: the proxy test must run in CI`);
  return reason;
}

/** The README's server block, with the test's socket, certificates and upstream. */
function nginxConf(dir: string, socket: string, certs: ThrowawayCerts, upstream: string): string {
  return `daemon off;
master_process off;
${process.getuid?.() === 0 ? 'user root root;\n' : ''}pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen unix:${socket} ssl http2;
    ssl_certificate ${certs.certFile};
    ssl_certificate_key ${certs.keyFile};
    location / {
      proxy_pass ${upstream};
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header Forwarded "";
    }
  }
}
`;
}

describe('the member directory behind nginx (TLS terminated, --trust-proxy loopback)', { skip: nginxSkip(), timeout: 60_000 }, () => {
  let dir: string;
  let certs: ThrowawayCerts;
  let maru: MaruProcess;
  let nginx: ChildProcess;
  let socket: string;
  let nginxErr = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'maru-nginx-'));
    certs = await throwawayCerts();
    maru = await startMaru({ env: { DATA_DIR: join(dir, 'data') }, args: ['--trust-proxy', 'loopback'] });
    socket = join(dir, 'tls.sock');
    const conf = join(dir, 'nginx.conf');
    await writeFile(conf, nginxConf(dir, socket, certs, maru.url));
    nginx = spawn(NGINX, ['-p', dir, '-e', 'stderr', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    nginx.stderr!.on('data', (chunk: Buffer) => (nginxErr += chunk.toString()));
    // nginx says nothing when it is ready: wait (generously) for its socket to appear.
    for (let waited = 0; ; waited += 50) {
      if (await access(socket).then(() => true, () => false)) break;
      if (nginx.exitCode !== null || waited > 20_000) throw new Error(`nginx did not start: ${nginxErr}`);
      await sleep(50);
    }
  });

  after(async () => {
    if (nginx !== undefined && nginx.exitCode === null) {
      const exited = once(nginx, 'exit');
      nginx.kill('SIGTERM');
      await exited;
    }
    await maru?.stop();
    await certs?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  function h1(path: string, { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
    return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
      const req = httpsRequest(
        { socketPath: socket, path, method, headers: { host: PUBLIC_HOST, ...headers }, ca: certs.certPem, servername: 'localhost', agent: false },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  function h2Session(): Promise<ClientHttp2Session> {
    return new Promise((resolve, reject) => {
      const session = h2Connect(PUBLIC_ORIGIN, {
        createConnection: () => tlsConnect({ path: socket, ca: certs.certPem, servername: 'localhost', ALPNProtocols: ['h2'] }),
      });
      session.once('connect', () => resolve(session));
      session.once('error', reject);
    });
  }

  test('registers and logs in from an HTTPS page over HTTP/1.1: the guard accepts the https Origin, the cookie is Secure', async () => {
    const registered = await h1('/users', { method: 'POST', headers: FORM, body: 'name=edge&password=secret-password' });
    assert.equal(registered.status, 303, registered.body);
    const login = await h1('/login', { method: 'POST', headers: FORM, body: 'name=edge&password=secret-password' });
    assert.equal(login.status, 303, login.body);
    const cookie = [login.headers['set-cookie'] ?? []].flat()[0] ?? '';
    assert.match(cookie, /^sid=[^;]+;.*; Secure/);
    const me = await h1('/me', { headers: { cookie: cookie.split(';')[0]! } });
    assert.equal(JSON.parse(me.body).name, 'edge');
  });

  test('logs in and out over HTTP/2 through nginx with the Secure session cookie', async () => {
    await h1('/users', { method: 'POST', headers: FORM, body: 'name=edge-h2&password=secret-password' });
    const session = await h2Session();
    try {
      const post = (path: string, extra: Record<string, string> = {}, body = ''): Promise<H2Response> =>
        h2Request(session, path, { method: 'POST', headers: { ...FORM, ...extra }, body });
      const login = await post('/login', {}, 'name=edge-h2&password=secret-password');
      assert.equal(login.status, 303, login.body);
      const cookie = [login.headers['set-cookie'] ?? []].flat()[0] ?? '';
      assert.match(cookie, /; Secure/);
      const sid = cookie.split(';')[0]!;
      assert.equal(JSON.parse((await h2Request(session, '/me', { headers: { cookie: sid } })).body).name, 'edge-h2');
      const logout = await post('/logout', { cookie: sid });
      assert.equal(logout.status, 303, logout.body);
      assert.equal((await h2Request(session, '/me', { headers: { cookie: sid } })).status, 401);
    } finally {
      session.close();
    }
  });

  test('a Forwarded header the client wrote itself does not get through nginx', async () => {
    // Were it passed on, maru (which trusts nginx, and reads Forwarded before X-Forwarded-*) would believe it.
    const res = await h1('/login', { method: 'POST', headers: { ...FORM, forwarded: 'for=203.0.113.66;proto=http;host=evil.example' }, body: 'name=edge&password=secret-password' });
    assert.equal(res.status, 303, res.body);
    assert.match(String([res.headers['set-cookie'] ?? []].flat()[0]), /; Secure/);
  });

  test('a page of another site is refused through nginx too', async () => {
    const res = await h1('/login', { method: 'POST', headers: { ...FORM, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, body: 'name=edge&password=secret-password' });
    assert.equal(res.status, 403);
  });
});
