import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface ThrowawayCerts {
  readonly dir: string;
  /** A certificate for localhost, 127.0.0.1 and ::1, and its key. */
  readonly certFile: string;
  readonly keyFile: string;
  /** A second, unrelated certificate and key (to test a key that does not match, and reloads). */
  readonly otherCertFile: string;
  readonly otherKeyFile: string;
  /** The PEM text of the first certificate, to trust it in a client (`ca`). */
  readonly certPem: string;
  readonly otherCertPem: string;
  cleanup(): Promise<void>;
}

async function makePair(commonName: string) {
  return generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
}

/** Certificates made for one test run, in a temp dir that `cleanup()` removes. */
export async function throwawayCerts(): Promise<ThrowawayCerts> {
  const dir = await mkdtemp(join(tmpdir(), 'maru-tls-'));
  const [one, two] = await Promise.all([makePair('localhost'), makePair('other.localhost')]);
  const files = {
    certFile: join(dir, 'cert.pem'),
    keyFile: join(dir, 'key.pem'),
    otherCertFile: join(dir, 'other-cert.pem'),
    otherKeyFile: join(dir, 'other-key.pem'),
  };
  await Promise.all([
    writeFile(files.certFile, one.cert),
    writeFile(files.keyFile, one.private, { mode: 0o600 }),
    writeFile(files.otherCertFile, two.cert),
    writeFile(files.otherKeyFile, two.private, { mode: 0o600 }),
  ]);
  return { dir, ...files, certPem: one.cert, otherCertPem: two.cert, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
