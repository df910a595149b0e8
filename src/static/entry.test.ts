import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { stat, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { makeTree } from '../../test/static/fixture.js';
import { loadEntry, type LoadOptions } from './entry.js';

const CSS = 'a { color: red; }\n'.repeat(100);
const options: LoadOptions = { type: 'text/css; charset=utf-8', cacheControl: 'no-cache', maxMemoryFile: 65536, compress: true, precompressed: true };

async function entryOf(root: string, name: string, overrides: Partial<LoadOptions> = {}) {
  const file = join(root, name);
  return loadEntry(file, file, await stat(file, { bigint: true }), { ...options, ...overrides });
}

test('keeps a small file in memory with br and gzip made once', async () => {
  const { root, cleanup } = await makeTree({ 'a.css': CSS });
  try {
    const entry = await entryOf(root, 'a.css');
    assert.equal(entry.identity.bytes?.toString(), CSS);
    assert.equal(brotliDecompressSync(entry.br!.bytes!).toString(), CSS);
    assert.equal(gunzipSync(entry.gzip!.bytes!).toString(), CSS);
    assert.equal(entry.cost, 1024 + CSS.length + entry.br!.size + entry.gzip!.size);
  } finally {
    await cleanup();
  }
});

test('keeps no compressed variant that does not save a tenth', async () => {
  const random = randomBytes(2000);
  const { root, cleanup } = await makeTree({ 'noise.css': random });
  try {
    const entry = await entryOf(root, 'noise.css');
    assert.equal(entry.br, undefined);
    assert.equal(entry.gzip, undefined);
  } finally {
    await cleanup();
  }
});

test('compresses nothing below 256 bytes or of an incompressible type', async () => {
  const { root, cleanup } = await makeTree({ 'small.css': 'a{}', 'b.png': CSS });
  try {
    assert.equal((await entryOf(root, 'small.css')).gzip, undefined);
    const png = await entryOf(root, 'b.png', { type: 'image/png' });
    assert.equal(png.gzip, undefined);
    assert.equal(png.identity.headers['vary'], undefined);
  } finally {
    await cleanup();
  }
});

test('streams a file over maxMemoryFile from disk, with its precompressed sibling', async () => {
  const { root, cleanup } = await makeTree({ 'big.css': CSS, 'big.css.gz': gzipSync(CSS) });
  try {
    const entry = await entryOf(root, 'big.css', { maxMemoryFile: 100 });
    assert.equal(entry.identity.bytes, undefined);
    assert.deepEqual(entry.identity.ok.body, { kind: 'file', path: join(root, 'big.css'), start: 0, end: CSS.length - 1 });
    assert.deepEqual(entry.gzip!.ok.body, { kind: 'file', path: join(root, 'big.css.gz'), start: 0, end: gzipSync(CSS).length - 1 });
    assert.equal(entry.br, undefined, 'no on-the-fly compression of a file on disk');
  } finally {
    await cleanup();
  }
});

test('ignores a precompressed sibling older than the file, or one that is a symlink', async () => {
  const { root, cleanup } = await makeTree({ 'a.css': CSS, 'a.css.gz': gzipSync('stale'), 'elsewhere.br': 'x' });
  try {
    await utimes(join(root, 'a.css.gz'), new Date(0), new Date(0));
    await symlink(join(root, 'elsewhere.br'), join(root, 'a.css.br'));
    const entry = await entryOf(root, 'a.css');
    assert.equal(gunzipSync(entry.gzip!.bytes!).toString(), CSS, 'made fresh, not the stale sibling');
    assert.equal(brotliDecompressSync(entry.br!.bytes!).toString(), CSS, 'made fresh, not the symlink');
  } finally {
    await cleanup();
  }
});

test('keeps a compressible file over 256 KiB in memory without compressing it at load', async () => {
  const big = CSS.repeat(Math.ceil((300 * 1024) / CSS.length));
  const { root, cleanup } = await makeTree({ 'big.css': big });
  try {
    const entry = await entryOf(root, 'big.css', { maxMemoryFile: 1024 * 1024 });
    assert.equal(entry.identity.bytes?.length, big.length);
    assert.equal(entry.br, undefined);
    assert.equal(entry.gzip, undefined);
    assert.equal(entry.identity.headers['vary'], 'Accept-Encoding');
  } finally {
    await cleanup();
  }
});
