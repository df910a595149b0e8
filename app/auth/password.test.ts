import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scryptSync } from 'node:crypto';
import { isHttpError } from '../../src/index.js';
import { hashPassword, needsRehash, SCRYPT_LIMITS, verifyAgainstDummy, verifyPassword } from './password.js';

const FORMAT = /^scrypt\$N=32768,r=8,p=1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/;

test('hashPassword stores the parameters, a 16-byte salt and a 32-byte key', async () => {
  assert.match(await hashPassword('correct horse battery'), FORMAT);
});

test('hashPassword salts each hash, so one password hashes differently twice', async () => {
  const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
  assert.notEqual(a, b);
  assert.notEqual(a.split('$')[2], b.split('$')[2]);
});

test('verifyPassword accepts the right password and refuses a wrong one', async () => {
  const stored = await hashPassword('비밀번호 1234');
  assert.equal(await verifyPassword('비밀번호 1234', stored), true);
  assert.equal(await verifyPassword('비밀번호 1235', stored), false);
  assert.equal(await verifyPassword('', stored), false);
});

test('verifyPassword matches a password typed in another Unicode normal form', async () => {
  const stored = await hashPassword('한글 password'); // precomposed syllables
  assert.equal(await verifyPassword('\u1112\u1161\u11AB\u1100\u1173\u11AF password', stored), true); // conjoining jamo
});

test('verifyPassword reads the parameters from the stored string (RFC 7914 §12 test vector)', async () => {
  // scrypt("pleaseletmein", "SodiumChloride", N=16384, r=8, p=1, dkLen=64)
  const vector =
    '7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887';
  const stored = `scrypt$N=16384,r=8,p=1$${Buffer.from('SodiumChloride').toString('base64')}$${Buffer.from(vector, 'hex').toString('base64')}`;
  assert.equal(await verifyPassword('pleaseletmein', stored), true);
  assert.equal(await verifyPassword('pleaseletmeout', stored), false);
  assert.equal(await verifyPassword('pleaseletmein', stored.replace('N=16384', 'N=8192')), false);
});

test('verifyPassword answers false, without throwing, for malformed stored strings', async () => {
  const good = await hashPassword('password1');
  const [, params, salt, key] = good.split('$');
  const malformed = [
    '',
    'garbage',
    'scrypt',
    'scrypt$$$',
    `bcrypt$${params}$${salt}$${key}`,
    `scrypt$${params}$${salt}`,
    `scrypt$${params}$${salt}$${key}$extra`,
    `scrypt$N=32767,r=8,p=1$${salt}$${key}`, // N not a power of two
    `scrypt$N=0,r=8,p=1$${salt}$${key}`,
    `scrypt$N=1073741824,r=8,p=1$${salt}$${key}`, // would need 1 TiB
    `scrypt$N=32768,r=0,p=1$${salt}$${key}`,
    `scrypt$N=32768,r=8,p=99$${salt}$${key}`,
    `scrypt$N=32768,r=8,p=1$!!!!$${key}`,
    `scrypt$N=32768,r=8,p=1$${salt}$AAAA`, // key too short
    `scrypt$N=-1,r=8,p=1$${salt}$${key}`,
    'x'.repeat(100_000),
    null as unknown as string,
  ];
  for (const stored of malformed) {
    assert.equal(await verifyPassword('password1', stored), false, JSON.stringify(stored?.slice(0, 60)));
  }
});

// That it costs what a real verification costs is a timing claim: the `app` benchmark measures it (login with an
// unknown name against a wrong password), since a timed unit test only measures how busy the machine is.
test('verifyAgainstDummy answers false, whatever the password', async () => {
  for (const password of ['', 'password1', 'x'.repeat(128)]) assert.equal(await verifyAgainstDummy(password), false);
});

test('needsRehash is false for a current hash and true for other parameters or garbage', async () => {
  const stored = await hashPassword('password1');
  assert.equal(needsRehash(stored), false);
  assert.equal(needsRehash(stored.replace('N=32768', 'N=16384')), true);
  assert.equal(needsRehash('garbage'), true);
});

test('scrypt work past the bound is refused with 503 BUSY and Retry-After, and what was admitted completes', async () => {
  // Cheap parameters (N=2^10) keep the admitted derivations fast; the bound counts derivations, not their cost.
  const salt = Buffer.from('0123456789abcdef');
  const stored = `scrypt$N=1024,r=8,p=1$${salt.toString('base64')}$${scryptSync('password1', salt, 32, { N: 1024, r: 8, p: 1 }).toString('base64')}`;
  const flood = SCRYPT_LIMITS.concurrency + SCRYPT_LIMITS.queue + 5;
  const outcomes = await Promise.all(Array.from({ length: flood }, () => verifyPassword('password1', stored).catch((err: unknown) => err)));
  const refused = outcomes.filter((outcome) => isHttpError(outcome) && outcome.status === 503 && outcome.code === 'BUSY');
  assert.equal(refused.length, 5);
  assert.deepEqual((refused[0] as { headers: unknown }).headers, { 'retry-after': '1' });
  assert.equal(outcomes.filter((outcome) => outcome === true).length, flood - 5);
});
