// The book's server1.js on maru: one page on one port. `listen()` resolves once the port is open (the book's
// 'listening' event) and rejects with one line saying what to do when it cannot be (its 'error' event).
// Run: npm run example -- server1      (PORT=8080, HOST=127.0.0.1 by default)
import { createApp, createLifecycle, handleProcessEvents, listen } from '../src/index.js';

const { PORT = '8080', HOST = '127.0.0.1' } = process.env;

const app = createApp();
app.get('/', (ctx) => ctx.html('<h1>Hello Node!</h1><p>Hello Server!</p>'));

// Ctrl-C or SIGTERM: stop taking connections, let requests in flight finish, then exit.
const life = createLifecycle({ log: app.log });
handleProcessEvents(life, { log: app.log });

try {
  const server = await listen(app, { port: Number(PORT), host: HOST });
  life.onStop(() => server.close());
  life.ready();
  console.log(`server1: ${server.urls[0]}`);
} catch (err) {
  console.error(`server1: ${(err as Error).message}`); // e.g. "port 8080 is already in use (…): stop the other server or choose another port"
  await life.stop({ cause: 'start-failed', exitCode: 1 });
}
process.exitCode = await life.done;
