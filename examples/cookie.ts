// The book's cookie.js on maru: set a cookie, read the ones the browser sends back. ctx.cookies is parsed once per
// request and never throws: a malformed `Cookie: a=%` is kept as it came, where the book's decodeURIComponent
// takes the whole server down.
// Run: npm run example -- cookie
import { createApp, listen } from '../src/index.js';

const { PORT = '8080', HOST = '127.0.0.1' } = process.env;

const app = createApp();
app.get('/', (ctx) => {
  ctx.log.info({ url: ctx.path, cookies: ctx.cookies }, 'cookies received');
  ctx.setCookie('mycookie', 'test', { httpOnly: true, sameSite: 'lax', path: '/' });
  return ctx.text('Hello Cookie');
});

const server = await listen(app, { port: Number(PORT), host: HOST });
console.log(`cookie: ${server.urls[0]}`);
