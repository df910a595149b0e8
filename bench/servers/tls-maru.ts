// maru over TLS as the h2 and https scenarios run it: one port, HTTP/2 and HTTP/1.1 by ALPN, the core routes plus
// the 16 KiB stylesheet from serveStatic (its hot cache), logging off.
import { createApp, createLogger, listen, serveStatic } from '../../src/index.js';
import { tlsFiles, tlsWorkDir } from './tls-files.js';
import { portFromEnv, userList } from './users.js';

const { certFile, keyFile, root } = tlsFiles(tlsWorkDir());
const app = createApp({ log: createLogger({ level: 'silent', pretty: false }) });
const files = serveStatic({ root });
app.get('/hello', (ctx) => ctx.text('Hello Node!'));
app.get('/users', (ctx) => ctx.json(userList));
app.get('/static/*', files);
await listen(app, { port: portFromEnv(), host: '127.0.0.1', tls: { certFile, keyFile, http2: true } });
