import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { request } from '../core/client.js';
import { MAIN, removeDataDirs, spawnLogged, startCluster, type LogLine, type MaruCluster } from './harness.js';

after(removeDataDirs);

const THROW_ON_USR2 = fileURLToPath(new URL('./throw-on-usr2.ts', import.meta.url));

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
