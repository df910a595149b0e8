// `maru serve` over TLS, as a real process: the development certificate, certificate files and HSTS, SIGHUP
// reloads (an open HTTP/2 session keeps working), bad files at start and on reload, and the redirect listener.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startMaru, type MaruProcess } from '../app-process.js';
import { request } from '../core/client.js';
import { throwawayCerts, type ThrowawayCerts } from '../tls/certs.js';
import { h2Connect, h2Request, httpsGet } from '../tls/clients.js';

const MAIN = fileURLToPath(new URL('../../app/main.ts', import.meta.url));

let certs: ThrowawayCerts;
const dirs: string[] = [];
before(async () => {
  certs = await throwawayCerts();
});
after(async () => {
  await certs.cleanup();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'maru-cli-tls-'));
  dirs.push(dir);
  return dir;
}

/** The certificate a TLS server shows to a client that checks nothing (so that any certificate can be read). */
function servedCertificate(url: string): Promise<{ fingerprint: string; commonName: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: hostname, port: Number(port), servername: 'localhost', rejectUnauthorized: false }, () => {
      const cert = socket.getPeerCertificate();
      socket.destroy();
      resolve({ fingerprint: cert.fingerprint256, commonName: String(cert.subject?.CN) });
    });
    socket.once('error', reject);
  });
}

/** Waits (generously) until a log line matches; polling, never a fixed sleep. */
async function logLine(maru: MaruProcess, match: (entry: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>> {
  for (let waited = 0; waited < 20_000; waited += 25) {
    const line = maru.logs.find(match);
    if (line !== undefined) return line;
    await sleep(25);
  }
  throw new Error(`no log line ${what} within 20 s`);
}

/** `maru serve` that is expected to fail at start: its exit code and stderr. */
async function failedStart(args: string[], dataDir: string): Promise<{ code: number | null; stderr: string }> {
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    env: { ...inherited, LOG_LEVEL: 'info', DATA_DIR: dataDir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(killer);
  return { code, stderr };
}

describe('maru serve --https', { concurrency: true, timeout: 120_000 }, () => {
  test('makes the development certificate once (one log line, key 0600), reuses it on the next start, sends no HSTS', async () => {
    const dataDir = await tempDir();
    const first = await startMaru({ env: { DATA_DIR: dataDir }, args: ['--https'] });
    let served: string;
    try {
      const made = first.logs.filter((entry) => typeof entry.certFile === 'string');
      assert.equal(made.length, 1);
      assert.equal(made[0]!.created, true);
      assert.match(String(made[0]!.msg), /^made a self-signed development certificate for localhost/);
      assert.equal((await stat(join(dataDir, 'dev-key.pem'))).mode & 0o777, 0o600);
      const onDisk = new X509Certificate(await readFile(join(dataDir, 'dev-cert.pem')));
      served = (await servedCertificate(first.url)).fingerprint;
      assert.equal(served, onDisk.fingerprint256);
      const res = await httpsGet(`${first.url}/hello`, onDisk.toString());
      assert.equal(res.body, 'Hello Node!');
      assert.equal(res.headers['strict-transport-security'], undefined);
    } finally {
      assert.equal(await first.stop(), 0);
    }
    const second = await startMaru({ env: { DATA_DIR: dataDir }, args: ['--https'] });
    try {
      const used = second.logs.filter((entry) => typeof entry.certFile === 'string');
      assert.equal(used.length, 1);
      assert.equal(used[0]!.created, false);
      assert.match(String(used[0]!.msg), /^using a self-signed development certificate/);
      assert.equal((await servedCertificate(second.url)).fingerprint, served);
    } finally {
      await second.stop();
    }
  });

  test('with --cert/--key sends Strict-Transport-Security max-age=15552000 over HTTPS/1.1 and HTTP/2', async () => {
    const maru = await startMaru({ env: { DATA_DIR: await tempDir() }, args: ['--http2', '--cert', certs.certFile, '--key', certs.keyFile] });
    const session = await h2Connect(maru.url, certs.certPem);
    try {
      assert.equal((await httpsGet(`${maru.url}/hello`, certs.certPem)).headers['strict-transport-security'], 'max-age=15552000');
      assert.equal((await h2Request(session, '/hello')).headers['strict-transport-security'], 'max-age=15552000');
      assert.equal(maru.logs.some((entry) => typeof entry.certFile === 'string'), false, 'no development certificate');
    } finally {
      session.close();
      await maru.stop();
    }
  });

  test('with --hsts 0 sends no Strict-Transport-Security', async () => {
    const maru = await startMaru({ env: { DATA_DIR: await tempDir() }, args: ['--http2', '--cert', certs.certFile, '--key', certs.keyFile, '--hsts', '0'] });
    const session = await h2Connect(maru.url, certs.certPem);
    try {
      assert.equal((await httpsGet(`${maru.url}/hello`, certs.certPem)).headers['strict-transport-security'], undefined);
      assert.equal((await h2Request(session, '/hello')).headers['strict-transport-security'], undefined);
    } finally {
      session.close();
      await maru.stop();
    }
  });

  test('SIGHUP after the files were swapped serves the new certificate; an open HTTP/2 session keeps working', async () => {
    const dir = await tempDir();
    const [certFile, keyFile] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    await Promise.all([copyFile(certs.certFile, certFile), copyFile(certs.keyFile, keyFile)]);
    const maru = await startMaru({ env: { DATA_DIR: join(dir, 'data') }, args: ['--http2', '--cert', certFile, '--key', keyFile] });
    const session = await h2Connect(maru.url, certs.certPem);
    try {
      assert.equal((await h2Request(session, '/hello')).body, 'Hello Node!');
      assert.equal((await servedCertificate(maru.url)).commonName, 'localhost');
      await Promise.all([copyFile(certs.otherCertFile, certFile), copyFile(certs.otherKeyFile, keyFile)]);
      maru.child.kill('SIGHUP');
      await logLine(maru, (entry) => entry.msg === 'certificates reloaded', '"certificates reloaded"');
      assert.equal((await servedCertificate(maru.url)).commonName, 'other.localhost');
      assert.equal((await httpsGet(`${maru.url}/hello`, certs.otherCertPem)).peerCommonName, 'other.localhost');
      // The session opened before the reload was not dropped: a new stream on it is served.
      assert.equal(session.closed || session.destroyed, false);
      assert.equal((await h2Request(session, '/hello')).body, 'Hello Node!');
      assert.equal(maru.child.exitCode, null);
    } finally {
      session.close();
      await maru.stop();
    }
  });

  test('SIGHUP with a bad file logs one clear line and keeps serving the old certificate', async () => {
    const dir = await tempDir();
    const [certFile, keyFile] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    await Promise.all([copyFile(certs.certFile, certFile), copyFile(certs.keyFile, keyFile)]);
    const maru = await startMaru({ env: { DATA_DIR: join(dir, 'data') }, args: ['--https', '--cert', certFile, '--key', keyFile] });
    try {
      await writeFile(keyFile, 'not a key\n');
      maru.child.kill('SIGHUP');
      const failed = await logLine(maru, (entry) => entry.level === 50, 'at error level');
      assert.equal(failed.err, `TLS key ${keyFile} is not an unencrypted PEM private key`);
      assert.match(String(failed.msg), /keeping what was running/);
      assert.equal(maru.logs.filter((entry) => Number(entry.level) >= 50).length, 1);
      assert.equal((await httpsGet(`${maru.url}/hello`, certs.certPem)).peerCommonName, 'localhost');
      assert.equal(maru.child.exitCode, null);
    } finally {
      await maru.stop();
    }
  });

  test('a missing or mismatched certificate file at start: one stderr line naming the file, exit 1', async () => {
    const dataDir = await tempDir();
    const missing = join(dataDir, 'missing.pem');
    const cases: [args: string[], line: string][] = [
      [['--cert', missing, '--key', certs.keyFile], `maru: TLS file ${missing} does not exist\n`],
      [['--cert', certs.certFile, '--key', certs.otherKeyFile], `maru: TLS key ${certs.otherKeyFile} does not belong to the certificate ${certs.certFile}\n`],
      [['--https', '--cert', certs.certFile, '--key', certs.keyFile, '--ca', missing], `maru: TLS file ${missing} does not exist\n`],
    ];
    await Promise.all(
      cases.map(async ([args, line]) => {
        const { code, stderr } = await failedStart(args, dataDir);
        assert.equal(code, 1, args.join(' '));
        assert.equal(stderr, line);
      }),
    );
  });

  test('--redirect-http answers 308 to the same path and query on the HTTPS port', async () => {
    const maru = await startMaru({ env: { DATA_DIR: await tempDir() }, args: ['--https', '--cert', certs.certFile, '--key', certs.keyFile, '--redirect-http', '0'] });
    try {
      const listening = maru.logs.find((entry) => Array.isArray(entry.listeners))!;
      const [https, redirect] = listening.listeners as { protocol: string; url: string; port: number }[];
      assert.equal(https!.protocol, 'https');
      assert.equal(redirect!.protocol, 'redirect');
      const res = await request(`${redirect!.url}/users?limit=2`, { headers: { host: 'localhost:8080' } });
      assert.equal(res.status, 308);
      assert.equal(res.headers.location, `https://localhost:${https!.port}/users?limit=2`);
      assert.equal((await httpsGet(`${res.headers.location!.replace('localhost', '127.0.0.1')}`, certs.certPem)).status, 200);
    } finally {
      await maru.stop();
    }
  });
});
