// The book's restServer.js on maru: the users API and its front end (restFront.html). The differences are the
// production ones: users live in a Map under ids the server makes (never a client-chosen or clock-based key), a
// body is read only up to 1 KiB and only as JSON, a name is checked before it is kept, an unknown id is a 404, and
// files come from one folder through serveStatic() — a malformed body gets a 400, never a crash.
// Run: npm run example -- restServer
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createApp, HttpError, listen, sameOrigin, serveStatic, type Context } from '../src/index.js';

const { PORT = '8080', HOST = '127.0.0.1' } = process.env;
const FRONT = new URL('./public/restFront/', import.meta.url);
const MAX_USERS = 1000;

const users = new Map<string, string>(); // id → name

/** The `name` of a JSON body: a string of 1–32 characters once trimmed, without control characters. */
async function nameFrom(ctx: Context): Promise<string> {
  const body = await ctx.body.json<{ name?: unknown }>(); // 415 unless JSON, 400 if malformed, 413 over the limit
  const name = typeof body?.name === 'string' ? body.name.trim() : '';
  if (name.length === 0 || name.length > 32 || /\p{Cc}/u.test(name)) {
    throw new HttpError(400, 'INVALID_NAME', 'name must be 1 to 32 characters, without control characters');
  }
  return name;
}

function existing(id: string): string {
  if (!users.has(id)) throw new HttpError(404, 'NOT_FOUND', 'no such user');
  return id;
}

const about = await readFile(new URL('about.html', FRONT), 'utf8'); // a fixed file, read once

const app = createApp();
app.use(serveStatic({ root: fileURLToPath(FRONT), index: 'restFront.html' }));
app.use(sameOrigin()); // a page on another site cannot add or delete users with a visitor's browser
app.get('/about', (ctx) => ctx.html(about));
app.get('/users', (ctx) => ctx.json(Object.fromEntries(users)));
app.post('/user', { bodyLimit: 1024 }, async (ctx) => {
  const name = await nameFrom(ctx);
  if (users.size >= MAX_USERS) throw new HttpError(507, 'FULL', `this example keeps at most ${MAX_USERS} users`, { expose: true });
  const id = randomUUID();
  users.set(id, name);
  return ctx.header('location', `/user/${id}`).json({ id, name }, 201);
});
app.put('/user/:id', { bodyLimit: 1024 }, async (ctx) => {
  const id = existing(ctx.params.id!);
  const name = await nameFrom(ctx);
  users.set(id, name);
  return ctx.json({ id, name });
});
app.delete('/user/:id', (ctx) => {
  users.delete(existing(ctx.params.id!));
  return ctx.empty();
});

const server = await listen(app, { port: Number(PORT), host: HOST });
console.log(`restServer: ${server.urls[0]}`);
