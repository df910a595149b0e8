// The book's server2.js on maru: an HTML file read from disk. serveStatic() serves one folder and nothing outside
// it (`/../package.json` is a 403, not the file), answers 304 to a browser that has the page, and keeps the page in
// memory; a missing folder stops the start-up instead of failing every request.
// Run: npm run example -- server2
import { fileURLToPath } from 'node:url';
import { createApp, listen, serveStatic } from '../src/index.js';

const { PORT = '8080', HOST = '127.0.0.1' } = process.env;

const app = createApp();
app.use(serveStatic({ root: fileURLToPath(new URL('./public/server2', import.meta.url)), index: 'server2.html' }));

const server = await listen(app, { port: Number(PORT), host: HOST });
console.log(`server2: ${server.urls[0]}`);
