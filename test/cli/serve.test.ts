import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { request, statusOf } from '../core/client.js';
import { unprivileged, withoutPrivileges } from '../unprivileged.js';

const MAIN = fileURLToPath(new URL('../../app/main.ts', import.meta.url));

// Each run gets its own data directory (the app opens SQLite there), removed when the file is done.
const dataDirs: string[] = [];
after(() => Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

interface Run {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

/**
 * `maru serve …` from source, with a throwaway data directory and no external services; `prefix` runs it without
 * privileges (see test/unprivileged.ts).
 */
function maru(args: string[], env: Record<string, string> = {}, prefix: readonly string[] = []): Run {
  const dataDir = mkdtempSync(join(tmpdir(), 'maru-cli-'));
  dataDirs.push(dataDir);
  const { DATABASE_URL: _db, REDIS_URL: _redis, PORT: _port, HOST: _host, ...inherited } = process.env;
  const [command, commandArgs] = withoutPrivileges(prefix, ['--import', 'tsx', MAIN, ...args]);
  const child = spawn(command, commandArgs, {
    env: { ...inherited, LOG_LEVEL: 'info', DATA_DIR: dataDir, ...env },
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
    const timer = setTimeout(() => reject(new Error(`no listening line within 60 s; stderr: ${run.stderr()}`)), 60_000);
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
    // Two listeners on port 0: unmistakably PORT's doing (the default is one listener on 8080), no port reused.
    await withMaru([], async (urls) => {
      assert.equal(urls.length, 2);
      for (const url of urls) assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    }, { PORT: '0,0' });
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

  test('maru exits non-zero with one line when a port needs privileges it does not have', async (t) => {
    // Which ports need privileges is the kernel's setting; where none do, there is nothing to refuse.
    const unprivilegedStart = Number(await readFile('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').catch(() => '1024'));
    if (unprivilegedStart <= 1) {
      t.skip(`every port is unprivileged on this machine (net.ipv4.ip_unprivileged_port_start = ${unprivilegedStart})`);
      return;
    }
    // As root every port is allowed, so maru then runs as root without capabilities: it still reads the checkout.
    const how = await unprivileged();
    if (how.skip !== false) {
      t.skip(how.skip);
      return;
    }
    const port = Math.min(80, unprivilegedStart - 1);
    const run = maru(['serve', '--host', '127.0.0.1', '--port', String(port)], {}, how.prefix);
    assert.equal(await run.exited, 1, run.stderr());
    assert.equal(
      run.stderr(),
      `maru: no permission to listen on port ${port} (127.0.0.1:${port}): ports below 1024 need privileges; choose one above 1023, e.g. --port 8080\n`,
    );
  });

  /**
   * A connection with a request in flight: one answered request and, in the same write, the start of a second
   * one. Once the first answer is in, the server has read the second request's head so far, so the connection is
   * busy, not idle, whatever the scheduler did (no sleep guessing when the bytes arrived).
   */
  async function requestInFlight(url: string): Promise<{ socket: Socket; answer: () => string; closed: Promise<unknown> }> {
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    await once(socket, 'connect');
    socket.on('error', () => {});
    let answer = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => (answer += chunk));
    const closed = once(socket, 'close');
    socket.write('GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n');
    while (!answer.includes('Hello Node!')) await once(socket, 'data');
    return { socket, answer: () => answer, closed };
  }

  test('maru exits 1 at once on a second signal while it waits for a stuck connection', async () => {
    await withMaru(['--port', '0'], async (urls, run) => {
      const { socket } = await requestInFlight(urls[0]!);
      run.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(run.child.exitCode, null, 'waiting for the stuck connection');
      const started = Date.now();
      run.child.kill('SIGTERM');
      assert.equal(await run.exited, 1);
      // Without the second signal it would wait for the 10 s grace.
      assert.ok(Date.now() - started < 5000, `exited ${Date.now() - started} ms after the second signal`);
      socket.destroy();
    });
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`maru exits 0 on ${signal} after finishing the request in flight`, async () => {
      await withMaru(['--port', '0'], async (urls, run) => {
        const { socket, answer, closed } = await requestInFlight(urls[0]!);
        const first = answer();
        run.child.kill(signal);
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(run.child.exitCode, null, 'still running while the request is in flight');
        socket.write('\r\n');
        await closed;
        const second = answer().slice(first.length);
        assert.equal(statusOf(second), 200, second);
        assert.match(second, /Connection: close/i);
        assert.match(second, /Hello Node!$/);
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
