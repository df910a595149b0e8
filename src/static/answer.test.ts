import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { test } from 'node:test';
import { answer } from './answer.js';
import { negotiateEncoding } from './encoding.js';
import type { Entry } from './entry.js';
import { buildRepresentation } from './representation.js';
import type { BigIntStats } from 'node:fs';

const stat = { size: 10n, mtimeNs: 1_704_067_200_000_000_000n, mtimeMs: 1_704_067_200_000n } as BigIntStats;
const base = { type: 'text/plain; charset=utf-8', stat, cacheControl: undefined, vary: true, path: '/srv/a.txt' };
const identity = buildRepresentation({ ...base, encoding: 'identity', size: 10, bytes: Buffer.from('0123456789') });
const br = buildRepresentation({ ...base, encoding: 'br', size: 4, bytes: Buffer.from('BBBB') });
const entry: Entry = { file: '/srv/a.txt', real: '/srv/a.txt', stat, identity, br, gzip: undefined, onDisk: undefined, cost: 0, checkedEpoch: 0 };
const reply = (headers: IncomingHttpHeaders) => answer(headers, entry, negotiateEncoding);

test('returns the prebuilt 200 itself for a plain GET', () => {
  assert.equal(reply({}), identity.ok);
  assert.equal(reply({ 'accept-encoding': 'gzip, br' }), br.ok);
  assert.equal(reply({ 'accept-encoding': 'gzip' }), identity.ok, 'no gzip variant: identity');
});

test('returns the prebuilt 304 of the chosen coding', () => {
  assert.equal(reply({ 'if-none-match': identity.etag }), identity.notModified);
  assert.equal(reply({ 'if-none-match': br.etag, 'accept-encoding': 'br' }), br.notModified);
  assert.equal(reply({ 'if-none-match': identity.etag, 'accept-encoding': 'br' }).status, 200, 'the identity tag does not validate br');
});

test('serves ranges from the identity bytes even when br is accepted', () => {
  const res = reply({ range: 'bytes=2-4', 'accept-encoding': 'br' });
  assert.equal(res.status, 206);
  assert.equal(Buffer.from(res.body as Uint8Array).toString(), '234');
});

test('answers 412 before looking at Range', () => {
  assert.equal(reply({ range: 'bytes=0-1', 'if-match': '"nope"' }).status, 412);
});

test('answers 416 for a range past the end and 200 when If-Range is stale', () => {
  assert.equal(reply({ range: 'bytes=10-' }).status, 416);
  assert.equal(reply({ range: 'bytes=0-1', 'if-range': '"old"' }), identity.ok);
});
