// The baseline: a hand-written node:http handler with no routing library, the least a Node server can do.
import { createServer } from 'node:http';
import { portFromEnv, userList, users } from './users.js';

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

function send(res: import('node:http').ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

createServer((req, res) => {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (req.method !== 'GET') return send(res, 405, TEXT, 'Method Not Allowed');
  if (path === '/hello') return send(res, 200, TEXT, 'Hello Node!');
  if (path === '/users') return send(res, 200, JSON_TYPE, JSON.stringify(userList));
  if (path.startsWith('/users/') && path.indexOf('/', 7) === -1) {
    const user = users.get(Number(path.slice(7)));
    if (user !== undefined) return send(res, 200, JSON_TYPE, JSON.stringify(user));
  }
  send(res, 404, TEXT, 'Not Found');
}).listen(portFromEnv(), '127.0.0.1');
