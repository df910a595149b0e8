import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DATABASE_URL, REDIS_URL } from '../services.js';
import { removeRedisKeys } from '../session/redis-keys.js';
import { scaleSkip } from './harness.js';

const skip = await scaleSkip();
const DEMO = fileURLToPath(new URL('../../scripts/scale-demo.ts', import.meta.url));

/** Pids of the processes whose parent is `pid` (nginx's workers), from /proc. */
async function childrenOf(pid: number): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) found.push(Number(entry));
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

function getThrough(url: string, ca: string): Promise<{ status: number; upstream: string | undefined }> {
  return new Promise((resolve, reject) => {
    httpsGet(url, { ca, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, upstream: res.headers['x-upstream'] as string | undefined }));
    }).on('error', reject);
  });
}

test('npm run scale-demo serves through nginx, and its Ctrl-C leaves no process running and no port taken', { skip, timeout: 120_000 }, async (t) => {
  const run = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const schema = `maru_demo_test_${run}`;
  const prefix = `maru-demo-test-${run}:`;
  const dataDir = await mkdtemp(join(tmpdir(), 'maru-demo-test-'));
  const demo = spawn(process.execPath, ['--import', 'tsx', DEMO, '--port', '0', '--data', dataDir], {
    env: { ...process.env, DATABASE_URL, REDIS_URL, DATABASE_SCHEMA: schema, REDIS_PREFIX: prefix },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  demo.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  demo.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = once(demo, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const pids: number[] = [];
  try {
    const deadline = Date.now() + 60_000;
    while (!output.includes('Ctrl-C stops')) {
      if (demo.exitCode !== null || Date.now() > deadline) assert.fail(`the demo did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const port = Number(/https:\/\/localhost:(\d+)\//.exec(output)?.[1]);
    const nginxPid = Number(/nginx\s+pid (\d+)/.exec(output)?.[1]);
    const instances = [...output.matchAll(/instance \w\s+pid (\d+), http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => ({ pid: Number(m[1]), port: Number(m[2]) }));
    assert.equal(instances.length, 2, output);
    const workers = await childrenOf(nginxPid);
    assert.ok(workers.length > 0, 'nginx runs a worker');
    pids.push(nginxPid, ...workers, ...instances.map((i) => i.pid));

    const ca = await readFile(join(dataDir, 'dev-cert.pem'), 'utf8');
    const answers = [await getThrough(`https://localhost:${port}/hello`, ca), await getThrough(`https://localhost:${port}/hello`, ca)];
    assert.deepEqual(answers.map((res) => res.status), [200, 200]);
    assert.deepEqual(answers.map((res) => res.upstream).sort(), instances.map((i) => `127.0.0.1:${i.port}`).sort(), 'both instances answer');

    demo.kill('SIGINT');
    const [code] = await exited;
    assert.equal(code, 0, output);
    assert.deepEqual(pids.filter(alive), [], 'every process has exited');
    const ports = [port, ...instances.map((i) => i.port)];
    assert.deepEqual(await Promise.all(ports.map(refused)), ports.map(() => true), 'every port is free');
    t.diagnostic(`stopped nginx (pid ${nginxPid}, ${workers.length} worker) and 2 instances; ports ${ports.join(', ')} refuse connections`);
  } finally {
    if (demo.exitCode === null) {
      demo.kill('SIGKILL');
      await exited;
    }
    // Whatever the demo left behind after a failure above (checked to be still ours: a pid can be reused).
    for (const pid of pids.filter(alive)) {
      const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (command.includes('nginx') || command.includes('main.ts')) process.kill(pid, 'SIGKILL');
    }
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => admin.end());
    await removeRedisKeys(REDIS_URL, prefix);
    await rm(dataDir, { recursive: true, force: true });
  }
});
