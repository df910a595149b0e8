// maru with sessions, as the sessions benchmark runs it. Env SESSION_STORE=redis|memory|sqlite; REDIS_URL and
// REDIS_PREFIX for Redis; the SQLite file is the first argument (or SQLITE_FILE). GET /bench-login makes a session, GET /me reads a name from it.
import { createApp, createLogger, HttpError, listen, MemoryStore, RedisStore, sessions, SqliteStore, type SessionStore } from '../../src/index.js';
import { portFromEnv } from './users.js';

function storeFromEnv(): SessionStore {
  const kind = process.env.SESSION_STORE ?? 'redis';
  if (kind === 'memory') return new MemoryStore();
  if (kind === 'sqlite') return new SqliteStore({ database: process.argv[2] ?? process.env.SQLITE_FILE ?? './data/bench-sessions.db' });
  if (kind === 'redis') return new RedisStore({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: process.env.REDIS_PREFIX ?? 'bench:maru:' });
  throw new TypeError(`SESSION_STORE must be redis, memory or sqlite, got ${kind}`);
}

const app = createApp({ log: createLogger({ level: 'silent', pretty: false }) });
app.use(sessions({ store: storeFromEnv() }));
app.get('/bench-login', async (ctx) => {
  await ctx.session.regenerate();
  ctx.session.data.name = 'Kim';
  return ctx.json({ ok: true });
});
app.get('/me', (ctx) => {
  const name = ctx.session.data.name;
  if (typeof name !== 'string') throw new HttpError(401, 'NOT_LOGGED_IN', 'log in first');
  return ctx.json({ name });
});
await listen(app, { port: portFromEnv(), host: '127.0.0.1' });
