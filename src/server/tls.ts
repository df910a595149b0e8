import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/**
 * Where a TLS listener's certificate lives: PEM files, re-read on `reloadTls()` (e.g. on SIGHUP).
 *
 * @example
 * const files: TlsFiles = { certFile: '/etc/maru/fullchain.pem', keyFile: '/etc/maru/privkey.pem' };
 * await listen(app, { port: 8443, tls: files });
 */
export interface TlsFiles {
  /** The certificate chain, leaf first (PEM). */
  readonly certFile: string;
  /** Its private key (PEM, unencrypted). */
  readonly keyFile: string;
  /** Extra CA certificates to trust (PEM), e.g. for client certificates. */
  readonly caFiles?: readonly string[];
}

/**
 * The contents of the files, checked: what `tls.createSecureContext()` takes.
 *
 * @example
 * const context = tls.createSecureContext({ cert: material.cert, key: material.key });
 */
export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca?: Buffer[];
}

/**
 * Reads and checks a certificate, its key and CA files. Rejects with one line naming the file and the problem —
 * missing, unreadable, not PEM, expired, or a key that does not belong to the certificate — so a start-up or a
 * reload can say exactly what to fix.
 *
 * @example
 * const material = await readTlsFiles({ certFile: '/etc/maru/cert.pem', keyFile: '/etc/maru/key.pem' });
 */
export async function readTlsFiles({ certFile, keyFile, caFiles = [] }: TlsFiles): Promise<TlsMaterial> {
  const [cert, key, ...ca] = await Promise.all([certFile, keyFile, ...caFiles].map((file) => readPem(file)));
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert!);
  } catch {
    throw new Error(`TLS certificate ${certFile} is not a PEM certificate`);
  }
  if (Date.parse(leaf.validTo) < Date.now()) throw new Error(`TLS certificate ${certFile} expired on ${leaf.validTo}`);
  let privateKey;
  try {
    privateKey = createPrivateKey(key!);
  } catch {
    throw new Error(`TLS key ${keyFile} is not an unencrypted PEM private key`);
  }
  if (!leaf.checkPrivateKey(privateKey)) throw new Error(`TLS key ${keyFile} does not belong to the certificate ${certFile}`);
  caFiles.forEach((file, i) => {
    try {
      new X509Certificate(ca[i]!);
    } catch {
      throw new Error(`TLS CA file ${file} is not a PEM certificate`);
    }
  });
  return ca.length === 0 ? { cert: cert!, key: key! } : { cert: cert!, key: key!, ca };
}

async function readPem(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new Error(`TLS file ${file} ${why}`);
  }
}
