import assert from 'node:assert/strict';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeTree } from '../../test/static/fixture.js';
import { createHotCache } from './cache.js';
import { ENTRY_OVERHEAD, loadEntry, type Entry } from './entry.js';

const load = async (root: string, name: string): Promise<Entry> => {
  const file = join(root, name);
  return loadEntry(file, file, await stat(file, { bigint: true }), { type: 'text/plain; charset=utf-8', cacheControl: undefined, maxMemoryFile: 1 << 16, compress: false, precompressed: false });
};

test('evicts the oldest entries first when the budget is full', async () => {
  const { root, cleanup } = await makeTree({ 'a.txt': 'a'.repeat(100), 'b.txt': 'b'.repeat(100), 'c.txt': 'c'.repeat(100) });
  try {
    const cache = createHotCache({ maxBytes: 2 * (ENTRY_OVERHEAD + 100), revalidateMs: 60_000 });
    const [a, b, c] = [await load(root, 'a.txt'), await load(root, 'b.txt'), await load(root, 'c.txt')];
    assert.equal(cache.add('/a.txt', a), true);
    assert.equal(cache.add('/b.txt', b), true);
    assert.equal(cache.add('/c.txt', c), true);
    assert.equal(cache.fresh('/a.txt'), undefined);
    assert.equal(cache.fresh('/b.txt'), b);
    assert.equal(cache.fresh('/c.txt'), c);
    assert.equal(cache.bytes, 2 * (ENTRY_OVERHEAD + 100));
  } finally {
    await cleanup();
  }
});

test('refuses an entry bigger than the whole budget', async () => {
  const { root, cleanup } = await makeTree({ 'a.txt': 'a'.repeat(100) });
  try {
    const cache = createHotCache({ maxBytes: 100, revalidateMs: 60_000 });
    assert.equal(cache.add('/a.txt', await load(root, 'a.txt')), false);
    assert.equal(cache.size, 0);
  } finally {
    await cleanup();
  }
});

test('keeps one entry per file path, under several request paths', async () => {
  const { root, cleanup } = await makeTree({ 'index.html': 'home' });
  try {
    const cache = createHotCache({ maxBytes: 1 << 20, revalidateMs: 60_000 });
    const entry = await load(root, 'index.html');
    cache.add('/', entry);
    cache.add('/index.html', entry);
    cache.add('/index.html', entry);
    assert.equal(cache.size, 1);
    assert.equal(cache.bytes, entry.cost);
    cache.delete(entry);
    assert.equal(cache.fresh('/'), undefined);
    assert.equal(cache.fresh('/index.html'), undefined);
    assert.equal(cache.bytes, 0);
  } finally {
    await cleanup();
  }
});

test('turns an entry stale after revalidateMs, and keeps it when the file is unchanged', async () => {
  const { root, cleanup } = await makeTree({ 'a.txt': 'same' });
  try {
    const cache = createHotCache({ maxBytes: 1 << 20, revalidateMs: 20 });
    const entry = await load(root, 'a.txt');
    cache.add('/a.txt', entry);
    assert.equal(cache.fresh('/a.txt'), entry);
    await sleep(50);
    assert.equal(cache.fresh('/a.txt'), undefined);
    assert.equal(cache.stale('/a.txt'), entry);
    assert.equal(await cache.revalidate(entry), entry);
    assert.equal(cache.fresh('/a.txt'), entry);
  } finally {
    await cleanup();
  }
});

test('drops an entry whose file changed, on revalidation', async () => {
  const { root, cleanup } = await makeTree({ 'a.txt': 'before' });
  try {
    const cache = createHotCache({ maxBytes: 1 << 20, revalidateMs: 0 });
    const entry = await load(root, 'a.txt');
    cache.add('/a.txt', entry);
    assert.equal(cache.fresh('/a.txt'), undefined, 'revalidateMs 0: never fresh without a stat');
    await writeFile(join(root, 'a.txt'), 'after!');
    const [one, two] = await Promise.all([cache.revalidate(entry), cache.revalidate(entry)]);
    assert.equal(one, undefined);
    assert.equal(two, undefined);
    assert.equal(cache.stale('/a.txt'), undefined);
    assert.equal(cache.size, 0);
  } finally {
    await cleanup();
  }
});

test('remembers a missing path until the epoch moves, and stays bounded', async () => {
  const cache = createHotCache({ maxBytes: 1 << 20, revalidateMs: 20 });
  cache.noteMissing('/api/users');
  assert.equal(cache.knownMissing('/api/users'), true);
  assert.equal(cache.knownMissing('/api/other'), false);
  await sleep(50);
  assert.equal(cache.knownMissing('/api/users'), false);
  for (let i = 0; i < 5000; i++) cache.noteMissing(`/x${i}`);
  assert.equal(cache.knownMissing('/x0'), false, 'cleared when full');
  assert.equal(cache.knownMissing('/x4999'), true);
});
