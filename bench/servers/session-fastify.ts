// Fastify 5 + @fastify/cookie + @fastify/session + connect-redis (on the `redis` client), with the settings its
// docs recommend for a login session (saveUninitialized: false, cookie not Secure over plain HTTP); the rest default.
// Its default `rolling: true` re-sends the cookie and re-saves the session on every response; env
// FASTIFY_SESSION_ROLLING=0 turns that off, for a like-for-like read-only comparison.
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import { RedisStore } from 'connect-redis';
import Fastify from 'fastify';
import { createClient } from 'redis';
import { portFromEnv } from './users.js';

declare module 'fastify' {
  interface Session {
    name?: string;
  }
}

const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
client.on('error', () => {});
await client.connect();

const app = Fastify({ logger: false });
await app.register(fastifyCookie);
await app.register(fastifySession, {
  secret: 'a secret with minimum length of 32 characters!',
  cookie: { secure: false, httpOnly: true, sameSite: 'lax' },
  saveUninitialized: false,
  rolling: process.env.FASTIFY_SESSION_ROLLING !== '0',
  store: new RedisStore({ client, prefix: process.env.REDIS_PREFIX ?? 'bench:fastify:' }),
});
app.get('/bench-login', async (req) => {
  await req.session.regenerate();
  req.session.name = 'Kim';
  return { ok: true };
});
app.get('/me', (req, reply) => {
  const name = req.session.name;
  return name === undefined ? reply.code(401).send({ error: 'log in first' }) : { name };
});
await app.listen({ port: portFromEnv(), host: '127.0.0.1' });
