import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { spawnLogged, type LogLine } from './harness.js';

// A cluster built on the toolkit alone (tiny-cluster.ts), as a toolkit user would write it.
const TINY_CLUSTER = fileURLToPath(new URL('./tiny-cluster.ts', import.meta.url));
const tiny = (options: object) => spawnLogged(['--import', 'tsx', TINY_CLUSTER], { ...process.env, LOG_LEVEL: 'info', TINY_CLUSTER: JSON.stringify(options) });
const exitOf = (pid: number) => (l: LogLine) => l.msg === 'worker exited' && l.workerPid === pid;

test('a cluster refuses a MemoryStore at once, saying why, without retrying', { timeout: 120_000 }, async () => {
  const run = tiny({ memoryStore: true });
  const { code } = await run.exited;
  assert.equal(code, 2);
  assert.match(run.stderr(), /^tiny-cluster: MemoryStore keeps sessions in one process only: .*use SqliteStore or RedisStore with a cluster\n$/);
  assert.equal(run.logs.filter((l) => l.msg === 'worker started').length, 2, 'no worker was retried');
});

test('the memory guard replaces a worker above the limit gracefully', { timeout: 120_000 }, async () => {
  const options = { workers: 1, maxWorkerRss: 2 ** 20, memoryCheckInterval: 200 };
  const run = tiny(options);
  try {
    const first = await run.waitFor('the first worker', (l) => l.msg === 'worker ready');
    await run.waitFor('a warning', (l) => l.msg === 'worker over the memory limit: replacing it' && l.workerPid === first.workerPid);
    const exit = await run.waitFor('the planned exit', exitOf(first.workerPid as number));
    assert.deepEqual([exit.code, exit.planned, exit.cause], [0, true, 'memory']);
    const replacement = run.logs.find((l) => l.msg === 'worker ready' && l.workerPid !== first.workerPid);
    assert.ok(replacement !== undefined, 'the replacement was ready before the old worker left');
  } finally {
    assert.equal(await run.stop(), 0);
  }
});

test('a reload whose new worker cannot start stops there: the old workers keep serving, and the next reload works', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'maru-broken-'));
  const broken = join(dir, 'broken');
  const run = tiny({ brokenIf: broken });
  try {
    const ready = await run.waitFor('the cluster', (l) => l.msg === 'cluster ready: 2 workers');
    const before = ready.workerPids as number[];
    await writeFile(broken, '');
    run.child.kill('SIGHUP');
    await run.waitFor('the failed reload', (l) => l.msg === 'reload stopped: the workers not yet replaced keep running');
    assert.ok(run.logs.some((l) => l.msg === 'reload: the new worker did not start; the old one keeps serving' && l.reason === 'this build is broken'));
    for (const pid of before) assert.doesNotThrow(() => process.kill(pid, 0), `worker ${pid} still runs`);
    assert.ok(!run.logs.some((l) => l.msg === 'giving up: stopping the cluster'), 'a broken reload does not stop the cluster');
    await rm(broken);
    run.child.kill('SIGHUP');
    const done = await run.waitFor('the next reload', (l) => l.msg === 'reload done');
    assert.equal((done.workerPids as number[]).filter((pid) => before.includes(pid)).length, 0);
  } finally {
    assert.equal(await run.stop(), 0);
    await rm(dir, { recursive: true, force: true });
  }
});
