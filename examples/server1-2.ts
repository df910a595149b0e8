// The book's server1-2.js on maru: one app on two ports (the book starts two servers; here one app has two
// listeners, closed together). PORT takes a comma-separated list.
// Run: npm run example -- server1-2      (PORT=8080,8081)
import { createApp, listen } from '../src/index.js';

const { PORT = '8080,8081', HOST = '127.0.0.1' } = process.env;

const app = createApp();
app.get('/', (ctx) => ctx.html('<h1>Hello Node!</h1><p>Hello Server!</p>'));

const server = await listen(app, { port: PORT.split(',').map(Number), host: HOST });
for (const url of server.urls) console.log(`server1-2: ${url}`);
