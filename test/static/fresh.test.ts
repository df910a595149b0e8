// The hot cache never serves a file that changed on disk for longer than its revalidation time.
import assert from 'node:assert/strict';
import { rename, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { brotliDecompressSync } from 'node:zlib';
import { createApp, serveStatic } from '../../src/index.js';
import { memoryLogger } from '../logger.js';
import { serve, type TestServer } from '../server.js';
import { makeTree, request } from './fixture.js';

const REVALIDATE_MS = 50;

describe('a file changed on disk', () => {
  let server: TestServer;
  let tree: Awaited<ReturnType<typeof makeTree>>;
  const url = (path: string) => server.url + path;

  before(async () => {
    tree = await makeTree({ 'a.css': 'a { color: red; }'.repeat(40), 'b.txt': 'version one', 'c.txt': 'doomed', 'd.txt': 'old' });
    const app = createApp({ log: memoryLogger().log });
    app.use(serveStatic({ root: tree.root, hotCache: { revalidateMs: REVALIDATE_MS } }));
    server = await serve(app);
  });
  after(async () => {
    await server.close();
    await tree.cleanup();
  });

  test('is served fresh, with a new tag, once the revalidation time has passed', async () => {
    const first = await request(url('/b.txt'));
    assert.equal(first.body.toString(), 'version one');
    // Same size, same second: only the nanosecond mtime and the bytes differ.
    await writeFile(join(tree.root, 'b.txt'), 'version two');
    await sleep(REVALIDATE_MS + 20);
    const second = await request(url('/b.txt'));
    assert.equal(second.body.toString(), 'version two');
    assert.notEqual(second.headers.etag, first.headers.etag);
    const old = await request(url('/b.txt'), { headers: { 'if-none-match': String(first.headers.etag) } });
    assert.equal(old.status, 200, 'the old tag no longer matches');
  });

  test('is served fresh in its compressed forms too', async () => {
    const first = await request(url('/a.css'), { headers: { 'accept-encoding': 'br' } });
    assert.equal(brotliDecompressSync(first.body).toString(), 'a { color: red; }'.repeat(40));
    await writeFile(join(tree.root, 'a.css'), 'a { color: blue; }'.repeat(40));
    await sleep(REVALIDATE_MS + 20);
    const second = await request(url('/a.css'), { headers: { 'accept-encoding': 'br' } });
    assert.equal(brotliDecompressSync(second.body).toString(), 'a { color: blue; }'.repeat(40));
  });

  test('is seen when replaced by a rename, even with an older mtime', async () => {
    await request(url('/d.txt'));
    const next = join(tree.root, 'd.txt.next');
    await writeFile(next, 'new');
    await utimes(next, new Date(0), new Date(0));
    await rename(next, join(tree.root, 'd.txt'));
    await sleep(REVALIDATE_MS + 20);
    assert.equal((await request(url('/d.txt'))).body.toString(), 'new');
  });

  test('is gone once deleted', async () => {
    assert.equal((await request(url('/c.txt'))).status, 200);
    await rm(join(tree.root, 'c.txt'));
    await sleep(REVALIDATE_MS + 20);
    assert.equal((await request(url('/c.txt'))).status, 404);
  });

  test('is found once created, within the revalidation time (a missing path is remembered that long)', async () => {
    assert.equal((await request(url('/later.txt'))).status, 404);
    await writeFile(join(tree.root, 'later.txt'), 'here now');
    await sleep(REVALIDATE_MS + 20);
    assert.equal((await request(url('/later.txt'))).body.toString(), 'here now');
  });
});
