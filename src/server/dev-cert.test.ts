import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { generate } from 'selfsigned';
import { devCertificate } from './dev-cert.js';
import { readTlsFiles } from './tls.js';

test('makes a certificate for localhost, 127.0.0.1 and ::1 once, with a 0600 key, and reuses it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'maru-devcert-'));
  try {
    const first = await devCertificate(join(dir, 'data'));
    assert.equal(first.created, true);
    assert.equal((await stat(first.keyFile)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'data'))).mode & 0o777, 0o700);
    const cert = new X509Certificate(await readFile(first.certFile));
    assert.equal(cert.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    await readTlsFiles(first); // the key belongs to the certificate
    const pem = await readFile(first.certFile, 'utf8');
    const second = await devCertificate(join(dir, 'data'));
    assert.equal(second.created, false);
    assert.equal(await readFile(second.certFile, 'utf8'), pem);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('replaces a certificate that is about to expire', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'maru-devcert-'));
  try {
    const soon = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', notAfterDate: new Date(Date.now() + 2 * 24 * 60 * 60 * 1000) });
    await writeFile(join(dir, 'dev-cert.pem'), soon.cert);
    await writeFile(join(dir, 'dev-key.pem'), soon.private, { mode: 0o600 });
    const renewed = await devCertificate(dir);
    assert.equal(renewed.created, true);
    assert.notEqual(await readFile(renewed.certFile, 'utf8'), soon.cert);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
