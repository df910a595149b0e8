// The book's session.js on maru: the same login, but the cookie carries only a session id — 192 random bits from
// the system's CSPRNG, where the book uses Date.now(), which anyone can guess — and the name stays on the server.
// A login gets a fresh id (regenerate), and the session ends after 5 minutes without a visit.
// Run: npm run example -- session
import { readFile } from 'node:fs/promises';
import { createApp, HttpError, listen, MemoryStore, sameOrigin, sessions } from '../src/index.js';

const { PORT = '8080', HOST = '127.0.0.1' } = process.env;
const loginPage = await readFile(new URL('./public/cookie2/cookie2.html', import.meta.url), 'utf8');

const app = createApp();
app.use(sameOrigin());
// MemoryStore keeps sessions in this process (bounded); SqliteStore or RedisStore keep them across restarts.
app.use(sessions({ store: new MemoryStore(), idleTimeout: 5 * 60_000 }));
app.get('/', (ctx) => {
  const { name } = ctx.session.data;
  return typeof name === 'string' ? ctx.text(`${name}님 안녕하세요`) : ctx.html(loginPage);
});
app.post('/login', { bodyLimit: 1024 }, async (ctx) => {
  const name = (await ctx.body.form()).name?.trim() ?? '';
  if (name.length === 0 || name.length > 32 || /\p{Cc}/u.test(name)) {
    throw new HttpError(400, 'INVALID_NAME', 'name must be 1 to 32 characters, without control characters');
  }
  await ctx.session.regenerate(); // a new id at login: an id planted before it is worth nothing
  ctx.session.data.name = name;
  return ctx.redirect('/', 303);
});

const server = await listen(app, { port: Number(PORT), host: HOST });
console.log(`session: ${server.urls[0]}`);
