// The TLS scenarios' shared files, made by the scenario's setup in its scratch directory (argv[2] of each server).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The scratch directory: cert.pem and key.pem (a throwaway certificate), www/site.css (the 16 KiB stylesheet). */
export function tlsWorkDir(): string {
  const dir = process.argv[2];
  if (dir === undefined) throw new TypeError('usage: <server> <scratch directory with cert.pem, key.pem and www/>');
  return dir;
}

export function tlsFiles(dir: string): { cert: Buffer; key: Buffer; certFile: string; keyFile: string; root: string } {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  return { cert: readFileSync(certFile), key: readFileSync(keyFile), certFile, keyFile, root: join(dir, 'www') };
}
