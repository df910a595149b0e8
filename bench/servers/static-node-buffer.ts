// The ceiling for any Node server: node:http answering from Buffers read at start-up with the same response maru
// sends — type, length, validators, Cache-Control, Vary (the files are compressible), Accept-Ranges — and a 304 with
// the validators and caching headers of the 200 (RFC 9110 §15.4.5) on a matching If-None-Match. No routing, no file
// checks: what is left between the two is what the static layer costs.
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { portFromEnv } from './users.js';

const root = process.argv[2];
if (root === undefined) throw new TypeError('usage: static-node-buffer <root directory>');
const files = new Map<string, { body: Buffer; validators: Record<string, string>; headers: Record<string, string | number> }>();
for (const [name, type, vary] of [['site.css', 'text/css; charset=utf-8', true], ['photo.bin', 'application/octet-stream', false]] as const) {
  const path = join(root, name);
  const stat = statSync(path);
  const etag = `"${stat.size.toString(16)}-${(BigInt(Math.floor(stat.mtimeMs / 1000)) * 1_000_000_000n).toString(16)}"`;
  const validators: Record<string, string> = { etag, 'last-modified': stat.mtime.toUTCString(), 'cache-control': 'no-cache', ...(vary ? { vary: 'Accept-Encoding' } : {}) };
  files.set(`/${name}`, { body: readFileSync(path), validators, headers: { 'content-type': type, 'content-length': stat.size, ...validators, 'accept-ranges': 'bytes' } });
}
createServer((req, res) => {
  const file = files.get(req.url ?? '');
  if (file === undefined) {
    res.writeHead(404, { 'content-length': 0 }).end();
    return;
  }
  const inm = req.headers['if-none-match'];
  if (inm !== undefined && inm.includes(file.validators.etag!)) {
    res.writeHead(304, file.validators).end();
    return;
  }
  res.writeHead(200, file.headers).end(file.body);
}).listen(portFromEnv(), '127.0.0.1');
