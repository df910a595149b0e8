// node:http2's compatibility API (createSecureServer + 'request', req/res objects like node:http) by hand, with
// HTTP/1.1 on the same port: what a port of a node:http app to HTTP/2 looks like.
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { stylesheet, tlsFiles, tlsWorkDir } from './tls-files.js';
import { portFromEnv, userList } from './users.js';

const { cert, key, root } = tlsFiles(tlsWorkDir());
const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const { body: css, headers: cssHeaders } = stylesheet(root);

function send(res: Http2ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

createSecureServer({ cert, key, allowHTTP1: true }, (req: Http2ServerRequest, res: Http2ServerResponse) => {
  const path = req.url;
  if (path === '/hello') return send(res, 200, TEXT, 'Hello Node!');
  if (path === '/users') return send(res, 200, JSON_TYPE, JSON.stringify(userList));
  if (path === '/static/site.css') {
    res.writeHead(200, cssHeaders);
    res.end(css);
    return;
  }
  send(res, 404, TEXT, 'Not Found');
}).listen(portFromEnv(), '127.0.0.1');
