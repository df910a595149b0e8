// maru serving a directory (argv[2]) as the static benchmark runs it: serveStatic as middleware in front of an
// empty router, its defaults (hot cache, br/gzip, Cache-Control: no-cache), logging off.
// Env STATIC_MOUNT=route mounts it on `/*` instead (no middleware chain: the reply is returned synchronously).
import { createApp, createLogger, listen, serveStatic } from '../../src/index.js';
import { portFromEnv } from './users.js';

const root = process.argv[2];
if (root === undefined) throw new TypeError('usage: static-maru <root directory>');
const app = createApp({ log: createLogger({ level: 'silent', pretty: false }) });
if (process.env.STATIC_MOUNT === 'route') app.get('/*', serveStatic({ root }));
else app.use(serveStatic({ root }));
await listen(app, { port: portFromEnv(), host: '127.0.0.1' });
