// The ceiling for any Node server: node:http answering from Buffers read at start-up, with the headers a static
// server sends (type, length, validators), and a 304 on a matching If-None-Match. No routing, no file checks.
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { portFromEnv } from './users.js';

const root = process.argv[2];
if (root === undefined) throw new TypeError('usage: static-node-buffer <root directory>');
const files = new Map<string, { body: Buffer; etag: string; headers: Record<string, string | number> }>();
for (const [name, type] of [['site.css', 'text/css; charset=utf-8'], ['photo.bin', 'application/octet-stream']] as const) {
  const path = join(root, name);
  const stat = statSync(path);
  const etag = `"${stat.size.toString(16)}-${(BigInt(Math.floor(stat.mtimeMs / 1000)) * 1_000_000_000n).toString(16)}"`;
  files.set(`/${name}`, { body: readFileSync(path), etag, headers: { 'content-type': type, 'content-length': stat.size, etag, 'last-modified': stat.mtime.toUTCString() } });
}
createServer((req, res) => {
  const file = files.get(req.url ?? '');
  if (file === undefined) {
    res.writeHead(404, { 'content-length': 0 }).end();
    return;
  }
  const inm = req.headers['if-none-match'];
  if (inm !== undefined && inm.includes(file.etag)) {
    res.writeHead(304, { etag: file.etag }).end();
    return;
  }
  res.writeHead(200, file.headers).end(file.body);
}).listen(portFromEnv(), '127.0.0.1');
