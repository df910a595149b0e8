// Big files are streamed: memory stays flat over a 1 GiB file, and a client that leaves mid-file releases its fd.
import assert from 'node:assert/strict';
import { readdir, readlink, truncate, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp, serveStatic } from '../../src/index.js';
import { memoryLogger } from '../logger.js';
import { serve, type TestServer } from '../server.js';
import { makeTree } from './fixture.js';

const GIB = 1024 ** 3;

/** Paths of this process's open file descriptors (Linux /proc). */
async function openFiles(): Promise<string[]> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets;
}

describe('a big file', { skip: process.platform !== 'linux' ? 'needs /proc' : false }, () => {
  let server: TestServer;
  let tree: Awaited<ReturnType<typeof makeTree>>;
  let bigFile: string;

  before(async () => {
    tree = await makeTree({});
    bigFile = join(tree.root, 'big.bin');
    // A sparse file: 1 GiB to read, nothing written to disk.
    await writeFile(bigFile, '');
    await truncate(bigFile, GIB);
    const app = createApp({ log: memoryLogger('error').log });
    app.use(serveStatic({ root: tree.root }));
    server = await serve(app);
  });
  after(async () => {
    await server.close();
    await tree.cleanup();
  });

  test('is streamed with flat memory: 1 GiB through, RSS grows by less than 64 MiB', async (t) => {
    global.gc?.();
    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
    try {
      // Collected first, asserted after: an assertion thrown inside a node:http callback would hang the test.
      const { status, length, received } = await new Promise<{ status: number | undefined; length: string | undefined; received: number }>((resolve, reject) => {
        get(`${server.url}/big.bin`, (res) => {
          let bytes = 0;
          res.on('data', (chunk: Buffer) => (bytes += chunk.length));
          res.on('end', () => resolve({ status: res.statusCode, length: res.headers['content-length'], received: bytes }));
          res.on('error', reject);
        }).on('error', reject);
      });
      assert.equal(status, 200);
      assert.equal(length, String(GIB));
      assert.equal(received, GIB);
    } finally {
      clearInterval(sampler);
    }
    const growth = peak - baseline;
    t.diagnostic(`RSS ${(baseline / 1024 / 1024).toFixed(1)} MiB before, peak growth ${(growth / 1024 / 1024).toFixed(1)} MiB`);
    assert.ok(growth < 64 * 1024 * 1024, `RSS grew by ${(growth / 1024 / 1024).toFixed(1)} MiB`);
  });

  test('releases its file descriptor when the client disconnects mid-file', async () => {
    const before = (await openFiles()).filter((path) => path === bigFile).length;
    assert.equal(before, 0);
    await new Promise<void>((resolve, reject) => {
      const req = get(`${server.url}/big.bin`, (res) => {
        res.once('data', () => {
          req.destroy(); // the client goes away after the first chunk
          resolve();
        });
      });
      req.on('error', () => {});
      setTimeout(() => reject(new Error('no data within 30 s')), 30_000).unref();
    });
    let open = 1;
    for (const deadline = Date.now() + 10_000; open > 0 && Date.now() < deadline; ) {
      await sleep(20);
      open = (await openFiles()).filter((path) => path === bigFile).length;
    }
    assert.equal(open, 0, 'the file is still open after the client left');
  });

  test('leaves no descriptor open after a range, a HEAD and a 304 (each opened file is closed)', async () => {
    const range = await fetch(`${server.url}/big.bin`, { headers: { range: 'bytes=0-9' } });
    assert.equal(range.status, 206);
    assert.equal((await range.arrayBuffer()).byteLength, 10);
    const head = await fetch(`${server.url}/big.bin`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    const etag = head.headers.get('etag') ?? '';
    const notModified = await fetch(`${server.url}/big.bin`, { headers: { 'if-none-match': etag } });
    assert.equal(notModified.status, 304);
    let open = 1;
    for (const deadline = Date.now() + 10_000; open > 0 && Date.now() < deadline; ) {
      open = (await openFiles()).filter((path) => path === bigFile).length;
      if (open > 0) await sleep(20);
    }
    assert.equal(open, 0, 'a descriptor of the file is still open');
  });

  test('holds the file open while it is being sent (so the check above can fail)', async () => {
    const open = await new Promise<number>((resolve, reject) => {
      const req = get(`${server.url}/big.bin`, (res) => {
        res.once('data', () => {
          res.pause();
          void openFiles().then((files) => {
            req.destroy();
            resolve(files.filter((path) => path === bigFile).length);
          }, reject);
        });
      });
      req.on('error', reject);
      setTimeout(() => reject(new Error('no data within 30 s')), 30_000).unref();
    });
    assert.equal(open, 1, 'descriptors open mid-transfer');
  });
});
