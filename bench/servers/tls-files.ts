// The TLS scenarios' shared files, made by the scenario's setup in its scratch directory (argv[2] of each server).
import { readFileSync, statSync } from 'node:fs';
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

/**
 * The stylesheet as the by-hand baselines send it: from a Buffer read at start-up, with the response maru's
 * serveStatic sends — type, length, validators, Cache-Control, Vary (it is compressible), Accept-Ranges — so that
 * what the comparison measures is the server, not three headers fewer.
 */
export function stylesheet(root: string): { body: Buffer; headers: Record<string, string | number> } {
  const path = join(root, 'site.css');
  const stat = statSync(path, { bigint: true });
  const etag = `"${stat.size.toString(16)}-${stat.mtimeNs.toString(16)}"`;
  const headers = {
    'content-type': 'text/css; charset=utf-8',
    'content-length': Number(stat.size),
    etag,
    'last-modified': new Date(Number(stat.mtimeMs)).toUTCString(),
    'cache-control': 'no-cache',
    vary: 'Accept-Encoding',
    'accept-ranges': 'bytes',
  };
  return { body: readFileSync(path), headers };
}
