import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BR, createEncodingMemo, GZIP, isCompressible, negotiateEncoding, type Encoding } from './encoding.js';

const cases: [claim: string, header: string | undefined, available: number, expected: Encoding][] = [
  ['sends identity without Accept-Encoding', undefined, BR | GZIP, 'identity'],
  ['sends identity for an empty Accept-Encoding', '', BR | GZIP, 'identity'],
  ['prefers br when a browser accepts both', 'gzip, deflate, br, zstd', BR | GZIP, 'br'],
  ['sends gzip when br is not accepted', 'gzip, deflate', BR | GZIP, 'gzip'],
  ['follows q-values', 'br;q=0.5, gzip;q=1', BR | GZIP, 'gzip'],
  ['reads q-values with spaces and capitals', 'br ; Q=0.2, GZIP ; q=0.8', BR | GZIP, 'gzip'],
  ['refuses a coding with q=0', 'br;q=0, gzip;q=0', BR | GZIP, 'identity'],
  ['lets * stand for codings not named', '*', BR | GZIP, 'br'],
  ['lets a named q=0 override *', 'br;q=0, *', BR | GZIP, 'gzip'],
  ['treats x-gzip as gzip', 'x-gzip', BR | GZIP, 'gzip'],
  ['falls back to gzip when the file has no br', 'br, gzip', GZIP, 'gzip'],
  ['sends identity when only an unavailable coding is accepted', 'br', GZIP, 'identity'],
  ['counts an unreadable q-value as a refusal', 'br;q=lots', BR | GZIP, 'identity'],
  ['ignores unknown codings', 'zstd, compress', BR | GZIP, 'identity'],
];

for (const [claim, header, available, expected] of cases) {
  test(claim, () => assert.equal(negotiateEncoding(header, available), expected));
}

test('the memo answers as negotiateEncoding does and stays bounded', () => {
  const pick = createEncodingMemo(2);
  assert.equal(pick('gzip, br', BR | GZIP), 'br');
  assert.equal(pick('gzip, br', GZIP), 'gzip');
  for (let i = 0; i < 10; i++) assert.equal(pick(`gzip;q=0.${i}`, BR | GZIP), i === 0 ? 'identity' : 'gzip');
  assert.equal(pick(undefined, BR | GZIP), 'identity');
});

test('compresses text, JSON, JavaScript and SVG but not images, fonts in WOFF or archives', () => {
  for (const type of ['text/css; charset=utf-8', 'text/html', 'application/json', 'text/javascript', 'image/svg+xml', 'application/ld+json']) {
    assert.equal(isCompressible(type), true, type);
  }
  for (const type of ['image/png', 'image/jpeg', 'font/woff2', 'application/zip', 'application/gzip', 'video/mp4', 'application/octet-stream']) {
    assert.equal(isCompressible(type), false, type);
  }
});
