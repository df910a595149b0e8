// Symlinks under the root, changed while the server runs: a link and its target are separate cache entries, and a
// file streamed from disk is the one that passed the root check, whatever the path leads to by the time it is opened.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApp, serveStatic, type ServeStaticOptions } from '../../src/index.js';
import { memoryLogger } from '../logger.js';
import { serve, type TestServer } from '../server.js';
import { makeTree, request } from './fixture.js';

/** Points `link` at `target` atomically (a new link renamed over the old one), as a deploy would. */
async function repoint(link: string, target: string): Promise<void> {
  const next = `${link}.next`;
  await symlink(target, next);
  await rename(next, link);
}

describe('symlinks in the hot cache', () => {
  let server: TestServer;
  let tree: Awaited<ReturnType<typeof makeTree>>;
  const get = (path: string) => request(server.url + path);

  before(async () => {
    tree = await makeTree({ 'a.txt': 'target A', 'b.txt': 'target B', 'data.txt': 'body { color: red }' });
    // revalidateMs 0: every request stats its entry's path, so nothing here waits on a timer.
    const app = createApp({ log: memoryLogger().log });
    app.use(serveStatic({ root: tree.root, hotCache: { revalidateMs: 0 } }));
    server = await serve(app);
  });
  after(async () => {
    await server.close();
    await tree.cleanup();
  });

  test('a re-pointed link serves its new target, even after its old target was asked for by name', async () => {
    await symlink('a.txt', join(tree.root, 'moving.txt'));
    assert.equal((await get('/a.txt')).body.toString(), 'target A');
    assert.equal((await get('/moving.txt')).body.toString(), 'target A');
    await repoint(join(tree.root, 'moving.txt'), 'b.txt');
    assert.equal((await get('/moving.txt')).body.toString(), 'target B');
  });

  test('a deleted link answers 404 while its target is still served', async () => {
    await symlink('a.txt', join(tree.root, 'doomed.txt'));
    assert.equal((await get('/a.txt')).status, 200);
    assert.equal((await get('/doomed.txt')).status, 200);
    await rm(join(tree.root, 'doomed.txt'));
    assert.equal((await get('/doomed.txt')).status, 404);
    assert.equal((await get('/a.txt')).body.toString(), 'target A');
  });

  test('a link gets the Content-Type of its own name, whichever name was asked for first', async () => {
    await symlink('data.txt', join(tree.root, 'style.css'));
    assert.match(String((await get('/data.txt')).headers['content-type']), /^text\/plain/);
    assert.match(String((await get('/style.css')).headers['content-type']), /^text\/css/);
  });
});

describe('a file too big for the cache', () => {
  let server: TestServer;
  let tree: Awaited<ReturnType<typeof makeTree>>;
  let outside: string;
  const get = (path: string, headers: Record<string, string> = {}) => request(server.url + path, { headers });
  const PUBLIC = 'public bytes, '.repeat(20);

  before(async () => {
    tree = await makeTree({ 'd/big.txt': PUBLIC, 'e/big.txt': PUBLIC });
    outside = await realpath(await mkdtemp(join(tmpdir(), 'maru-outside-')));
    await mkdir(join(outside, 'd'));
    await writeFile(join(outside, 'd', 'big.txt'), 'SECRET '.repeat(40));
    // Files over 64 bytes are streamed; entries stay fresh for a minute, so only the open stands between a
    // request and a path swapped after the check.
    const options: ServeStaticOptions = { root: tree.root, hotCache: { maxFileSize: 64, revalidateMs: 60_000 } };
    const app = createApp({ log: memoryLogger().log });
    app.use(serveStatic(options));
    server = await serve(app);
  });
  after(async () => {
    await server.close();
    await tree.cleanup();
    await rm(outside, { recursive: true, force: true });
  });

  test('is not served from outside the root when its directory is swapped for a symlink after the check', async () => {
    assert.equal((await get('/d/big.txt')).body.toString(), PUBLIC);
    await rename(join(tree.root, 'd'), join(tree.root, 'd.old'));
    await symlink(join(outside, 'd'), join(tree.root, 'd'));
    const res = await get('/d/big.txt');
    assert.equal(res.status, 404);
    assert.ok(!res.body.toString().includes('SECRET'));
  });

  test('is served with its own length once replaced on disk, before the entry would be revalidated', async () => {
    assert.equal((await get('/e/big.txt')).body.toString(), PUBLIC);
    const next = join(tree.root, 'e', 'big.txt.next');
    await writeFile(next, 'the new version, longer than the old one. '.repeat(20));
    await rename(next, join(tree.root, 'e', 'big.txt'));
    const res = await get('/e/big.txt');
    assert.equal(res.body.toString(), 'the new version, longer than the old one. '.repeat(20));
    assert.equal(Number(res.headers['content-length']), res.body.length);
  });
});
