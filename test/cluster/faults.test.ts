import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { request } from '../core/client.js';
import { MAIN, removeDataDirs, spawnLogged, startCluster, type LogLine, type MaruCluster } from './harness.js';

after(removeDataDirs);

const THROW_ON_USR2 = fileURLToPath(new URL('./throw-on-usr2.ts', import.meta.url));
const TINY_CLUSTER = fileURLToPath(new URL('./tiny-cluster.ts', import.meta.url));

const exitOf = (pid: number) => (l: LogLine) => l.msg === 'worker exited' && l.workerPid === pid;

describe('one cluster of 2 through two faults', () => {
  let cluster: MaruCluster;
  before(async () => {
    cluster = await startCluster({ imports: [THROW_ON_USR2] });
  });
  after(() => cluster?.stop());

  test('a worker killed with SIGKILL is logged as killed and replaced after 100 ms, and the cluster keeps answering', async () => {
    const [victim] = cluster.workers as [number];
    process.kill(victim, 'SIGKILL');
    const exit = await cluster.waitFor('the exit of the killed worker', exitOf(victim));
    assert.deepEqual([exit.code, exit.signal, exit.planned, exit.cause], [null, 'SIGKILL', false, 'killed']);
    const replacing = await cluster.waitFor('the restart plan', (l) => l.msg?.startsWith('replacing the worker in') === true);
    assert.equal(replacing.delayMs, 100, 'a worker killed from outside is replaced after the initial delay');
    await cluster.waitFor('a replacement', (l) => l.msg === 'worker ready' && !cluster.workers.includes(l.workerPid as number));
    for (let i = 0; i < 6; i++) assert.equal((await request(`${cluster.url}/hello`)).status, 200);
  });

  test('an error thrown outside a request: one fatal line, the worker drains and exits 70, and is replaced', async () => {
    const [, victim] = cluster.workers as [number, number];
    const readyBefore = cluster.logs.filter((l) => l.msg === 'worker ready').length;
    process.kill(victim, 'SIGUSR2');
    const exit = await cluster.waitFor('the exit of the crashed worker', exitOf(victim));
    assert.deepEqual([exit.code, exit.signal, exit.planned, exit.cause], [70, null, false, 'crash']);
    const fatal = cluster.logs.filter((l) => l.pid === victim && l.level === 60);
    assert.equal(fatal.length, 1, 'one fatal line');
    assert.equal(fatal[0]!.msg, 'uncaught error: draining and exiting (code 70)');
    assert.equal((fatal[0]!.err as { message: string }).message, 'thrown outside any request');
    await cluster.waitFor('its own last line', (l) => l.pid === victim && l.msg === 'stopped');
    assert.ok(cluster.logs.some((l) => l.pid === victim && l.msg === 'stopped' && l.exitCode === 70), 'it went through its drain');
    await cluster.waitFor('a replacement', () => cluster.logs.filter((l) => l.msg === 'worker ready').length > readyBefore);
    assert.equal((await request(`${cluster.url}/hello`)).status, 200);
  });
});

test('workers that fail at start are retried with a growing delay, then the primary exits 1 with their error once', { timeout: 120_000 }, async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const { port } = blocker.address() as AddressInfo;
  const dataDir = await mkdtemp(join(tmpdir(), 'maru-cluster-fail-'));
  try {
    const { DATABASE_URL: _db, REDIS_URL: _redis, ...env } = process.env;
    const run = spawnLogged(['--import', 'tsx', MAIN, 'serve', '--cluster', '2', '--host', '127.0.0.1', '--port', String(port), '--data', dataDir], { ...env, LOG_LEVEL: 'info' });
    const started = Date.now();
    const { code } = await run.exited;
    const took = Date.now() - started;
    assert.equal(code, 1);
    assert.ok(took < 90_000, `gave up after ${took} ms`);
    const message = `port ${port} is already in use`;
    assert.equal(run.stderr().split(message).length - 1, 1, `the error is printed once: ${run.stderr()}`);
    assert.match(run.stderr(), /^maru: workers keep failing to start \(5 times within 60 s\): port \d+ is already in use/);
    const delays = run.logs.filter((l) => l.msg?.startsWith('replacing the worker in')).map((l) => l.delayMs as number);
    assert.ok(delays.length >= 3, `retried: ${delays.join(', ')}`);
    assert.ok(delays.some((d) => d >= 200), `the delay grew: ${delays.join(', ')}`);
    const forks = run.logs.filter((l) => l.msg === 'worker started').length;
    assert.ok(forks <= 6, `no fork storm: ${forks} workers started`);
  } finally {
    blocker.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a cluster refuses a MemoryStore at once, saying why, without retrying (toolkit)', { timeout: 120_000 }, async () => {
  const run = spawnLogged(['--import', 'tsx', TINY_CLUSTER], { ...process.env, LOG_LEVEL: 'info', TINY_CLUSTER: JSON.stringify({ memoryStore: true }) });
  const { code } = await run.exited;
  assert.equal(code, 2);
  assert.match(run.stderr(), /^tiny-cluster: MemoryStore keeps sessions in one process only: .*use SqliteStore or RedisStore with a cluster\n$/);
  assert.equal(run.logs.filter((l) => l.msg === 'worker started').length, 2, 'no worker was retried');
});

test('the memory guard replaces a worker above the limit gracefully (toolkit)', { timeout: 120_000 }, async () => {
  const options = { workers: 1, maxWorkerRss: 2 ** 20, memoryCheckInterval: 200 };
  const run = spawnLogged(['--import', 'tsx', TINY_CLUSTER], { ...process.env, LOG_LEVEL: 'info', TINY_CLUSTER: JSON.stringify(options) });
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

test('a reload whose new worker cannot start stops there: the old workers keep serving, and the next reload works (toolkit)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'maru-broken-'));
  const broken = join(dir, 'broken');
  const run = spawnLogged(['--import', 'tsx', TINY_CLUSTER], { ...process.env, LOG_LEVEL: 'info', TINY_CLUSTER: JSON.stringify({ brokenIf: broken }) });
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
