import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { startMaru } from '../app-process.js';
import { DATABASE_URL, REDIS_URL, serviceSkip } from '../services.js';

const skip = (await serviceSkip('postgres')) || (await serviceSkip('redis'));

test('the app keeps members in PostgreSQL and sessions in Redis when DATABASE_URL and REDIS_URL are set', { skip, timeout: 120_000 }, async () => {
  // A database of its own, so this run neither sees nor leaves anything in another's tables.
  const database = `maru_app_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(DATABASE_URL);
  url.pathname = `/${database}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'maru-pg-'));
  const maru = await startMaru({ env: { DATA_DIR: dataDir, DATABASE_URL: url.href, REDIS_URL } });
  try {
    const storage = maru.logs.find((line) => line.msg === 'storage ready');
    assert.equal(storage?.members, 'postgresql');
    assert.equal(storage?.sessions, 'redis');

    const body = JSON.stringify({ name: '박서준', password: 'seojun-password' });
    const headers = { 'content-type': 'application/json' };
    const created = await fetch(`${maru.url}/users`, { method: 'POST', headers, body });
    assert.equal(created.status, 201);
    const { id } = (await created.json()) as { id: string };

    const login = await fetch(`${maru.url}/login`, { method: 'POST', headers, body });
    assert.equal(login.status, 200);
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const me = await fetch(`${maru.url}/me`, { headers: { cookie } });
    assert.deepEqual(await me.json(), { id, name: '박서준' });

    const stored = await new pg.Client({ connectionString: url.href });
    await stored.connect();
    const rows = await stored.query('SELECT name FROM users WHERE id = $1', [id]);
    await stored.end();
    assert.equal(rows.rows[0]?.name, '박서준');

    const logout = await fetch(`${maru.url}/logout`, { method: 'POST', headers: { cookie }, redirect: 'manual' });
    assert.equal(logout.status, 303);
    assert.equal((await fetch(`${maru.url}/me`, { headers: { cookie } })).status, 401);
  } finally {
    assert.equal(await maru.stop(), 0);
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    await rm(dataDir, { recursive: true, force: true });
  }
});
