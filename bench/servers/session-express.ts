// Express 5 + express-session + connect-redis (on the `redis` client), with the settings its docs recommend
// (resave: false, saveUninitialized: false); the rest default.
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import { createClient } from 'redis';
import { portFromEnv } from './users.js';

declare module 'express-session' {
  interface SessionData {
    name?: string;
  }
}

const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
client.on('error', () => {});
await client.connect();

const app = express();
app.use(
  session({
    secret: 'a secret with minimum length of 32 characters!',
    resave: false,
    saveUninitialized: false,
    cookie: { secure: false, httpOnly: true, sameSite: 'lax' },
    store: new RedisStore({ client, prefix: process.env.REDIS_PREFIX ?? 'bench:express:' }),
  }),
);
app.get('/bench-login', (req, res, next) => {
  req.session.regenerate((err) => {
    if (err) return next(err);
    req.session.name = 'Kim';
    res.json({ ok: true });
  });
});
app.get('/me', (req, res) => {
  const name = req.session.name;
  if (name === undefined) res.status(401).json({ error: 'log in first' });
  else res.json({ name });
});
app.listen(portFromEnv(), '127.0.0.1');
