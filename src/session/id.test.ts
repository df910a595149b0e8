import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSessionId, newSessionId, sessionKey } from './id.js';

test('makes url-safe ids of 192 bits', () => {
  const id = newSessionId();
  assert.match(id, /^[A-Za-z0-9_-]{32}$/);
  assert.equal(Buffer.from(id, 'base64url').length, 24);
});

test('makes a different id each time', () => {
  const ids = new Set(Array.from({ length: 1000 }, newSessionId));
  assert.equal(ids.size, 1000);
});

test('accepts its own ids', () => {
  assert.equal(isSessionId(newSessionId()), true);
});

for (const value of ['', 'short', 'a'.repeat(31), 'a'.repeat(33), `${'a'.repeat(31)}=`, `${'a'.repeat(31)}.`, `${'a'.repeat(31)}\n`, '../../../../etc/passwd/aaaaaaaaa', undefined, 42]) {
  test(`rejects ${JSON.stringify(value) ?? String(value)} as a session id`, () => {
    assert.equal(isSessionId(value), false);
  });
}

test('sessionKey is the SHA-256 of the id, base64url (FIPS 180-2 test vector "abc")', () => {
  assert.equal(sessionKey('abc'), Buffer.from('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'hex').toString('base64url'));
});
