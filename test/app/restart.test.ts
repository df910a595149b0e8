import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startMaru } from '../app-process.js';

test('members and a logged-in session survive a restart of the server', { timeout: 120_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'maru-restart-'));
  try {
    const first = await startMaru({ env: { DATA_DIR: dataDir } });
    let cookie: string;
    let id: string;
    try {
      const created = await fetch(`${first.url}/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: '영희', password: 'younghee-password' }),
      });
      assert.equal(created.status, 201);
      id = ((await created.json()) as { id: string }).id;
      const login = await fetch(`${first.url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: '영희', password: 'younghee-password' }),
      });
      assert.equal(login.status, 200);
      cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    } finally {
      assert.equal(await first.stop(), 0, 'the first server exits 0 on SIGTERM');
    }

    const second = await startMaru({ env: { DATA_DIR: dataDir } });
    try {
      const me = await fetch(`${second.url}/me`, { headers: { cookie } });
      assert.equal(me.status, 200);
      assert.deepEqual(await me.json(), { id, name: '영희' });
      const user = await fetch(`${second.url}/users/${id}`);
      assert.equal(user.status, 200);
      assert.equal(((await user.json()) as { name: string }).name, '영희');
    } finally {
      assert.equal(await second.stop(), 0);
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
