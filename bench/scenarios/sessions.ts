// Sessions: an authenticated GET /me that reads a name from a Redis-backed session, maru against Fastify 5 +
// @fastify/session and Express 5 + express-session (both on connect-redis), same Redis, same run; plus maru with
// its memory and SQLite stores. Each contender logs in once (GET /bench-login) and wrk sends that cookie.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { Contender, Scenario } from '../scenario.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** One prefix per run, one sub-prefix per contender: no contender reads another's keys, teardown deletes them all. */
const RUN_PREFIX = `bench:sessions:${randomBytes(4).toString('hex')}:`;

const server = (name: string) => fileURLToPath(new URL(`../servers/${name}.js`, import.meta.url));

/** Logs in and returns the session cookie for wrk to send with every request. */
async function login(baseUrl: string): Promise<Record<string, string>> {
  const res = await fetch(`${baseUrl}/bench-login`);
  if (res.status !== 200) throw new Error(`GET /bench-login answered ${res.status}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
  if (cookie === '') throw new Error('GET /bench-login set no cookie');
  return { cookie };
}

function contender(name: string, file: string, env: Record<string, string>): Contender {
  return { name, command: () => [process.execPath, server(file)], env, prepare: login };
}

export const scenario: Scenario = {
  id: 'sessions',
  title: 'Sessions: authenticated GET /me (name read from the session)',
  baseline: '@fastify/session',
  targets: [{ name: 'GET /me (logged in)', path: '/me' }],
  contenders: [
    contender('maru + Redis', 'session-maru', { SESSION_STORE: 'redis', REDIS_URL, REDIS_PREFIX: `${RUN_PREFIX}maru:` }),
    contender('@fastify/session', 'session-fastify', { REDIS_URL, REDIS_PREFIX: `${RUN_PREFIX}fastify:` }),
    contender('@fastify/session (rolling: false)', 'session-fastify', { REDIS_URL, REDIS_PREFIX: `${RUN_PREFIX}fastify-nr:`, FASTIFY_SESSION_ROLLING: '0' }),
    contender('express-session', 'session-express', { REDIS_URL, REDIS_PREFIX: `${RUN_PREFIX}express:` }),
    contender('maru + memory', 'session-maru', { SESSION_STORE: 'memory' }),
    {
      ...contender('maru + SQLite', 'session-maru', { SESSION_STORE: 'sqlite' }),
      // The database file lives in the run's scratch directory, passed as the first argument.
      command: (_port, workDir) => [process.execPath, server('session-maru'), join(workDir, 'sessions.db')],
    },
  ],
  goals: [{ contender: 'maru + Redis', against: '@fastify/session', atLeast: 2 }],
  async teardown() {
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${RUN_PREFIX}*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  },
};
