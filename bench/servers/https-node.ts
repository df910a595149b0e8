// The HTTPS/1.1 baseline: node:https by hand, no routing library, the stylesheet from a Buffer read at start-up,
// with maru's headers (tls-files.ts).
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { stylesheet, tlsFiles, tlsWorkDir } from './tls-files.js';
import { portFromEnv, userList } from './users.js';

const { cert, key, root } = tlsFiles(tlsWorkDir());
const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const { body: css, headers: cssHeaders } = stylesheet(root);

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

createServer({ cert, key }, (req, res) => {
  const path = req.url;
  if (path === '/hello') return send(res, 200, TEXT, 'Hello Node!');
  if (path === '/users') return send(res, 200, JSON_TYPE, JSON.stringify(userList));
  if (path === '/static/site.css') {
    res.writeHead(200, cssHeaders).end(css);
    return;
  }
  send(res, 404, TEXT, 'Not Found');
}).listen(portFromEnv(), '127.0.0.1');
