import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import pg from 'pg';
import { DATABASE_URL, serviceSkip } from '../../test/services.js';
import { openUserRepository } from './open.js';
import { PostgresUserRepository } from './postgres.js';
import { SqliteUserRepository } from './sqlite.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'maru-open-'));
  dirs.push(dir);
  return dir;
}

/** Opens a repository in a fresh node process and reports whether the `pg` module was loaded. */
async function loadsPg(databaseUrl: string | undefined, dataDir: string): Promise<boolean> {
  const child = `
    import { createRequire } from 'node:module';
    import { dirname } from 'node:path';
    const [openModule, dataDir, databaseUrl, schema] = process.argv.slice(1);
    const { openUserRepository } = await import(openModule);
    const users = await openUserRepository({ dataDir, databaseUrl: databaseUrl || undefined, schema });
    await users.close();
    const require = createRequire(openModule);
    const pgDir = dirname(require.resolve('pg'));
    const loaded = Object.keys(require.cache).some((path) => path.startsWith(pgDir));
    if (databaseUrl) {
      const pg = (await import('pg')).default;
      const admin = new pg.Client({ connectionString: databaseUrl });
      await admin.connect();
      await admin.query('DROP SCHEMA ' + schema + ' CASCADE');
      await admin.end();
    }
    console.log(loaded);
  `;
  const openModule = fileURLToPath(new URL('./open.ts', import.meta.url));
  const schema = `maru_open_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--import', 'tsx', '--input-type=module', '-e', child, openModule, dataDir, databaseUrl ?? '', schema,
  ]);
  return JSON.parse(stdout) as boolean;
}

test('opens SQLite in dataDir, creating the directory and maru.db, when there is no databaseUrl', async () => {
  const dataDir = join(await tempDir(), 'nested', 'data');
  const users = await openUserRepository({ dataDir, databaseUrl: undefined });
  try {
    assert.ok(users instanceof SqliteUserRepository);
    await access(join(dataDir, 'maru.db'));
  } finally {
    await users.close();
  }
});

test('treats an empty databaseUrl as none', async () => {
  const users = await openUserRepository({ dataDir: await tempDir(), databaseUrl: '' });
  await users.close();
  assert.ok(users instanceof SqliteUserRepository);
});

test('never loads pg for SQLite', async () => {
  assert.equal(await loadsPg(undefined, await tempDir()), false);
});

const skip = await serviceSkip('postgres');

test('loads pg and opens PostgreSQL, migrated, when databaseUrl is set', { skip }, async () => {
  assert.equal(await loadsPg(DATABASE_URL, await tempDir()), true);
  const schema = `maru_open_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const users = await openUserRepository({ dataDir: await tempDir(), databaseUrl: DATABASE_URL, schema });
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  try {
    assert.ok(users instanceof PostgresUserRepository);
    assert.equal((await users.create({ name: 'pg member', passwordHash: 'h' })).ok, true);
    const { rows } = await admin.query(`SELECT name FROM ${schema}.users`);
    assert.deepEqual(rows, [{ name: 'pg member' }]);
  } finally {
    await users.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
});
