// The HTTP/2 baseline: node:http2's native stream API by hand, no routing library; the stylesheet from a Buffer
// read at start-up, with maru's headers (tls-files.ts). No 'request' listener (allowHTTP1 left off), so HTTP/2
// streams never meet the compat layer.
import { createSecureServer, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { stylesheet, tlsFiles, tlsWorkDir } from './tls-files.js';
import { portFromEnv, userList } from './users.js';

const { cert, key, root } = tlsFiles(tlsWorkDir());
const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const { body: css, headers: cssHeaders } = stylesheet(root);

function send(stream: ServerHttp2Stream, status: number, type: string, body: string | Buffer): void {
  stream.respond({ ':status': status, 'content-type': type, 'content-length': Buffer.byteLength(body) });
  stream.end(body);
}

const server = createSecureServer({ cert, key });
server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
  stream.on('error', () => {});
  const path = headers[':path'] ?? '/';
  if (path === '/hello') return send(stream, 200, TEXT, 'Hello Node!');
  if (path === '/users') return send(stream, 200, JSON_TYPE, JSON.stringify(userList));
  if (path === '/static/site.css') {
    stream.respond({ ':status': 200, ...cssHeaders });
    stream.end(css);
    return;
  }
  send(stream, 404, TEXT, 'Not Found');
});
server.listen(portFromEnv(), '127.0.0.1');
