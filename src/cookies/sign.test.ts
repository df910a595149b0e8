import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCookieSigner } from './sign.js';

const KEY_A = 'a'.repeat(32);
const KEY_B = 'b'.repeat(32);

test('unsign returns the value that sign signed', () => {
  const signer = createCookieSigner([KEY_A]);
  const signed = signer.sign('dark; mode=é');
  assert.match(signed, /^dark; mode=é\.[A-Za-z0-9_-]{43}$/);
  assert.equal(signer.unsign(signed), 'dark; mode=é');
});

test('signs an empty value, and a value that itself contains dots', () => {
  const signer = createCookieSigner([KEY_A]);
  assert.equal(signer.unsign(signer.sign('')), '');
  assert.equal(signer.unsign(signer.sign('a.b.c')), 'a.b.c');
});

test('rejects a changed value, a changed signature, and a missing signature', () => {
  const signer = createCookieSigner([KEY_A]);
  const signed = signer.sign('user=1');
  assert.equal(signer.unsign(signed.replace('user=1', 'user=2')), undefined);
  const last = signed.at(-1) === 'A' ? 'B' : 'A';
  assert.equal(signer.unsign(signed.slice(0, -1) + last), undefined);
  assert.equal(signer.unsign('user=1'), undefined);
  assert.equal(signer.unsign(''), undefined);
  assert.equal(signer.unsign(undefined), undefined);
});

test('rejects a signature of the right length with non-ASCII characters', () => {
  const signer = createCookieSigner([KEY_A]);
  assert.equal(signer.unsign(`x.${'é'.repeat(43)}`), undefined);
});

test('key rotation: signs with the first key and accepts any listed key', () => {
  const old = createCookieSigner([KEY_A]);
  const rotated = createCookieSigner([KEY_B, KEY_A]);
  const signedWithOld = old.sign('v');
  assert.equal(rotated.unsign(signedWithOld), 'v');
  assert.notEqual(rotated.sign('v'), signedWithOld);
  assert.equal(createCookieSigner([KEY_B]).unsign(rotated.sign('v')), 'v');
});

test('a retired key no longer verifies', () => {
  const signedWithOld = createCookieSigner([KEY_A]).sign('v');
  assert.equal(createCookieSigner([KEY_B]).unsign(signedWithOld), undefined);
});

test('accepts keys as bytes', () => {
  const signer = createCookieSigner([Buffer.alloc(32, 7)]);
  assert.equal(signer.unsign(signer.sign('v')), 'v');
});

test('refuses no keys and keys shorter than 32 bytes, naming the option', () => {
  assert.throws(() => createCookieSigner([]), /option keys must be a non-empty array/);
  assert.throws(() => createCookieSigner([KEY_A, 'short']), /option keys\[1\] must be a string or bytes of at least 32 bytes/);
});
