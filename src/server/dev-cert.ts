import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TlsFiles } from './tls.js';

/**
 * A development certificate's files, and whether this call made them.
 *
 * @example
 * const { certFile, keyFile, created } = await devCertificate('data');
 * if (created) console.log(`made ${certFile}`);
 */
export interface DevCertificate extends TlsFiles {
  readonly created: boolean;
}

const DAYS = 365;
// Renewed a little before it expires, so a long-lived dev setup never starts on an expired certificate.
const RENEW_BEFORE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * A self-signed certificate for `localhost`, `127.0.0.1` and `::1`, kept in `dir` (`dev-cert.pem`, and
 * `dev-key.pem` with mode 0600): made on the first call, reused after, renewed when it nears its end. For
 * development only — browsers warn about it, and HSTS must stay off with it. `selfsigned` is loaded only when a
 * certificate has to be made.
 *
 * @example
 * const { certFile, keyFile, created } = await devCertificate('./data');
 * await listen(app, { port: 8443, tls: { certFile, keyFile } });
 */
export async function devCertificate(dir: string): Promise<DevCertificate> {
  const certFile = join(dir, 'dev-cert.pem');
  const keyFile = join(dir, 'dev-key.pem');
  if (await usable(certFile, keyFile)) return { certFile, keyFile, created: false };

  const { generate } = await import('selfsigned');
  const notBeforeDate = new Date();
  const notAfterDate = new Date(notBeforeDate.getTime() + DAYS * 24 * 60 * 60 * 1000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Written beside and renamed into place: a crash never leaves half a key, and the key is 0600 before it holds anything.
  await writeAtomically(keyFile, pems.private, 0o600);
  await writeAtomically(certFile, pems.cert, 0o644);
  return { certFile, keyFile, created: true };
}

async function usable(certFile: string, keyFile: string): Promise<boolean> {
  try {
    const [cert] = await Promise.all([readFile(certFile), readFile(keyFile)]);
    return Date.parse(new X509Certificate(cert).validTo) - Date.now() > RENEW_BEFORE_MS;
  } catch {
    return false;
  }
}

async function writeAtomically(file: string, contents: string, mode: number): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, '', { mode });
  await chmod(temporary, mode);
  await writeFile(temporary, contents);
  await rename(temporary, file);
}
