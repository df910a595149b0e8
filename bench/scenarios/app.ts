// The member directory itself (`maru serve`, built): the member list and an authenticated GET /me, with members and
// sessions in SQLite (the default) and in PostgreSQL + Redis (the scale-out set-up). Registration is bounded by
// scrypt on purpose; its rate is measured while the 100 members are created, and reported, not tuned away.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Contender, Measure, Scenario } from '../scenario.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MAIN = fileURLToPath(new URL('../../app/main.js', import.meta.url));
const MEMBERS = 100;
const REGISTER_CONCURRENCY = 4;
const database = `maru_bench_${randomBytes(4).toString('hex')}`;
// Sessions and the login and registration counts of this run alone, removed at the end: a run never meets the
// counts of the one before (100 registrations per address per hour would refuse the next run's members).
const redisPrefix = `${database}:`;

const registrations: { contender: string; perSecond: number }[] = [];
const loginTimes: { contender: string; wrongPassword: number; unknownName: number }[] = [];
const LOGIN_SAMPLES = 9;

function appContender(name: string, dataSubdir: string, env: Record<string, string> = {}): Contender {
  return {
    name,
    command: (port, workDir) => [process.execPath, MAIN, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data', join(workDir, dataSubdir)],
    env: { LOG_LEVEL: 'warn', ...env },
    async prepare(baseUrl) {
      // A server started again on the same data finds the members there already (409): only a start that really
      // registered them all counts for the registration rate.
      const started = performance.now();
      let next = 0;
      let created = 0;
      const worker = async () => {
        while (next < MEMBERS) {
          const i = next++;
          const res = await post(`${baseUrl}/users`, { name: `member-${String(i).padStart(3, '0')}`, password: `password-${i}` });
          if (res.status === 201) created++;
          else if (res.status !== 409) throw new Error(`registering member ${i} answered ${res.status}`);
        }
      };
      await Promise.all(Array.from({ length: REGISTER_CONCURRENCY }, worker));
      if (created === MEMBERS) registrations.push({ contender: name, perSecond: MEMBERS / ((performance.now() - started) / 1000) });
      // A failed login must not tell whether the name exists: interleave the two kinds and compare their medians.
      const wrong: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < LOGIN_SAMPLES; i++) {
        wrong.push(await timeLogin(baseUrl, 'member-001'));
        unknown.push(await timeLogin(baseUrl, `nobody-${i}`));
      }
      if (created === MEMBERS) loginTimes.push({ contender: name, wrongPassword: median(wrong), unknownName: median(unknown) });
      const login = await post(`${baseUrl}/login`, { name: 'member-000', password: 'password-0' });
      if (login.status !== 200) throw new Error(`login answered ${login.status}`);
      const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
      return { cookie };
    },
  };
}

async function timeLogin(baseUrl: string, name: string): Promise<number> {
  const started = performance.now();
  const res = await post(`${baseUrl}/login`, { name, password: 'not-the-password' });
  if (res.status !== 401) throw new Error(`a wrong login answered ${res.status}`);
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

function databaseUrl(): string {
  const url = new URL(DATABASE_URL);
  url.pathname = `/${database}`;
  return url.href;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export const scenario: Scenario = {
  id: 'app',
  title: 'The member directory: member list and GET /me as a logged-in member',
  baseline: 'app: SQLite',
  // The two share nothing (a SQLite file in the scratch directory; a database of its own and Redis): side by side,
  // each is prepared once and their slices alternate.
  interleave: true,
  targets: [
    { name: 'GET /users?limit=100', path: '/users?limit=100' },
    { name: 'GET /me', path: '/me' },
  ],
  contenders: [
    appContender('app: SQLite', 'sqlite'),
    appContender('app: PostgreSQL + Redis', 'pg', { DATABASE_URL: databaseUrl(), REDIS_URL, REDIS_PREFIX: redisPrefix }),
  ],
  async setup() {
    await admin((client) => client.query(`CREATE DATABASE ${database}`));
  },
  async teardown() {
    await admin((client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      for (let cursor = '0'; ; ) {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        if (next === '0') break;
        cursor = next;
      }
    } finally {
      redis.disconnect();
    }
  },
  async measures() {
    const measures: Measure[] = registrations.map(({ contender, perSecond }) => ({
      name: `${contender}: registrations per second (POST /users, scrypt N=2^15)`,
      value: perSecond,
      unit: '/s',
      method: `${MEMBERS} registrations, ${REGISTER_CONCURRENCY} at a time, while preparing the run`,
    }));
    for (const { contender, wrongPassword, unknownName } of loginTimes) {
      measures.push({
        name: `${contender}: failed login, unknown name ÷ wrong password (median time, larger over smaller)`,
        value: Math.max(unknownName / wrongPassword, wrongPassword / unknownName),
        unit: '×',
        atMost: 1.25,
        method: `${LOGIN_SAMPLES} of each, interleaved: ${unknownName.toFixed(1)} ms vs ${wrongPassword.toFixed(1)} ms`,
      });
    }
    return measures;
  },
};
