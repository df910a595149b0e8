import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { request, statusOf } from '../core/client.js';

const MAIN = fileURLToPath(new URL('../../app/main.ts', import.meta.url));

// Each run gets its own data directory (the app opens SQLite there), removed when the file is done.
const dataDirs: string[] = [];
after(() => Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

interface Run {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** `maru serve …` from source, with a throwaway data directory and no external services. */
function maru(args: string[], env: Record<string, string> = {}): Run {
  const dataDir = mkdtempSync(join(tmpdir(), 'maru-cli-'));
  dataDirs.push(dataDir);
  const { DATABASE_URL: _db, REDIS_URL: _redis, PORT: _port, HOST: _host, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: { ...inherited, LOG_LEVEL: 'info', DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, stderr: () => stderr, exited };
}

/** `maru …` as the unprivileged user nobody, with a data directory nobody may write. */
function maruAsNobody(args: string[]): Run {
  const dataDir = mkdtempSync(join(tmpdir(), 'maru-cli-nobody-'));
  chmodSync(dataDir, 0o777);
  dataDirs.push(dataDir);
  const child = spawn('runuser', ['-u', 'nobody', '--', 'env', `DATA_DIR=${dataDir}`, `HOME=${dataDir}`, 'LOG_LEVEL=info', process.execPath, '--import', 'tsx', MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, stderr: () => stderr, exited };
}

/** Resolves with the URLs of the 'listening' log line. */
function listening(run: Run): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line within 15 s; stderr: ${run.stderr()}`)), 15_000);
    createInterface({ input: run.child.stdout! }).on('line', (line) => {
      const urls = (JSON.parse(line) as { urls?: string[] }).urls;
      if (urls === undefined) return;
      clearTimeout(timer);
      resolve(urls);
    });
    void run.exited.then((code) => reject(new Error(`maru exited with ${code}; stderr: ${run.stderr()}`)));
  });
}

async function withMaru<T>(args: string[], use: (urls: string[], run: Run) => Promise<T>, env: Record<string, string> = {}): Promise<T> {
  const run = maru(['serve', '--host', '127.0.0.1', ...args], env);
  try {
    return await use(await listening(run), run);
  } finally {
    if (run.child.exitCode === null) run.child.kill('SIGKILL');
    await run.exited;
  }
}

// Every test starts its own processes on its own ports: they run side by side to keep the file fast.
describe('maru serve', { concurrency: true }, () => {
  test('maru serve answers the skeleton routes on several ports', async () => {
    await withMaru(['--port', '0', '--port', '0'], async (urls) => {
      assert.equal(urls.length, 2);
      for (const url of urls) {
        const hello = await request(`${url}/hello`);
        assert.equal(hello.body, 'Hello Node!');
        assert.equal(hello.headers['content-type'], 'text/plain; charset=utf-8');
        assert.deepEqual(JSON.parse((await request(`${url}/healthz`)).body), { status: 'ok' });
      }
    });
  });

  test('maru serve takes PORT from the environment', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    await withMaru([], async (urls) => assert.deepEqual(urls, [`http://127.0.0.1:${port}`]), { PORT: String(port) });
  });

  test('maru --help prints the usage and exits 0', async () => {
    const run = maru(['--help']);
    let out = '';
    run.child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    assert.equal(await run.exited, 0);
    assert.match(out, /Usage: maru serve/);
    assert.match(out, /--port/);
  });

  test('maru exits 2 with one line for a bad flag, a bad port or an unknown LOG_LEVEL', async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['serve', '--nope'], {}, /^maru: .*--nope/],
      [['serve', '--port', 'http'], {}, /^maru: --port must be a number from 0 to 65535, got "http"\n$/],
      [['serve', '--port', '0'], { LOG_LEVEL: 'verbose' }, /^maru: LOG_LEVEL must be one of .*, got verbose\n$/],
    ];
    await Promise.all(
      cases.map(async ([args, env, message]) => {
        const run = maru(args, env);
        assert.equal(await run.exited, 2, args.join(' '));
        assert.match(run.stderr(), message);
        assert.equal(run.stderr().trim().split('\n').length, 1, `one line: ${run.stderr()}`);
      }),
    );
  });

  test('maru exits non-zero with one line naming a taken port and suggesting another', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const run = maru(['serve', '--host', '127.0.0.1', '--port', String(port)]);
      assert.equal(await run.exited, 1);
      assert.equal(run.stderr(), `maru: port ${port} is already in use (127.0.0.1:${port}): stop the other server or choose another port, e.g. --port ${port + 1}\n`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  test('maru exits non-zero with one line when a port needs privileges it does not have', async () => {
    // As root every port is allowed, so the check runs as nobody (runuser); the data directory must be theirs too.
    const unprivileged = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
    assert.ok(unprivileged > 1, 'this check needs privileged ports (net.ipv4.ip_unprivileged_port_start > 1)');
    const port = Math.min(80, unprivileged - 1);
    const args = ['serve', '--host', '127.0.0.1', '--port', String(port)];
    const run = process.getuid?.() === 0 ? maruAsNobody(args) : maru(args);
    assert.equal(await run.exited, 1);
    assert.equal(
      run.stderr(),
      `maru: no permission to listen on port ${port} (127.0.0.1:${port}): ports below 1024 need privileges; choose one above 1023, e.g. --port 8080\n`,
    );
  });

  test('maru exits 1 at once on a second signal while it waits for a stuck connection', async () => {
    await withMaru(['--port', '0'], async (urls, run) => {
      const { port } = new URL(urls[0]!);
      const socket = connect(Number(port), '127.0.0.1');
      await once(socket, 'connect');
      socket.on('error', () => {});
      socket.write('GET /hello HTTP/1.1\r\nHost: x\r\n');
      await new Promise((resolve) => setTimeout(resolve, 100));
      run.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(run.child.exitCode, null, 'waiting for the stuck connection');
      const started = Date.now();
      run.child.kill('SIGTERM');
      assert.equal(await run.exited, 1);
      assert.ok(Date.now() - started < 2000);
      socket.destroy();
    });
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`maru exits 0 on ${signal} after finishing the request in flight`, async () => {
      await withMaru(['--port', '0'], async (urls, run) => {
        const { port } = new URL(urls[0]!);
        // A request whose head is still arriving when the signal comes.
        const socket = connect(Number(port), '127.0.0.1');
        await once(socket, 'connect');
        let answer = '';
        socket.setEncoding('latin1').on('data', (chunk: string) => (answer += chunk));
        const closed = once(socket, 'close');
        socket.write('GET /hello HTTP/1.1\r\nHost: x\r\n');
        await new Promise((resolve) => setTimeout(resolve, 100));
        run.child.kill(signal);
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(run.child.exitCode, null, 'still running while the request is in flight');
        socket.write('\r\n');
        await closed;
        assert.equal(statusOf(answer), 200);
        assert.match(answer, /Connection: close/i);
        assert.match(answer, /Hello Node!$/);
        assert.equal(await run.exited, 0);
      });
    });
  }

  test('maru closes idle keep-alive connections promptly on SIGTERM', async () => {
    await withMaru(['--port', '0'], async (urls, run) => {
      const { port } = new URL(urls[0]!);
      const socket = connect(Number(port), '127.0.0.1');
      await once(socket, 'connect');
      socket.write('GET /hello HTTP/1.1\r\nHost: x\r\n\r\n');
      await once(socket, 'data');
      const closed = once(socket, 'close');
      const started = Date.now();
      run.child.kill('SIGTERM');
      assert.equal(await run.exited, 0);
      await closed;
      assert.ok(Date.now() - started < 3000, `exited after ${Date.now() - started} ms`);
    });
  });
});
