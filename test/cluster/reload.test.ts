import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from '../core/client.js';
import { MAIN, removeDataDirs, servedBy, startCluster, type MaruCluster } from './harness.js';

after(removeDataDirs);

interface Traffic {
  /** Requests answered 200 so far, by every client together. */
  ok(): number;
  readonly failures: string[];
  stop(): Promise<void>;
}

/**
 * Clients that send requests back to back over keep-alive connections until stopped, opening a new connection
 * whenever a reply says `Connection: close` — what a load balancer or a busy API client does.
 */
function continuousTraffic(url: string, clients = 8): Traffic {
  let running = true;
  let ok = 0;
  const failures: string[] = [];
  const loops = Array.from({ length: clients }, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (running) {
        try {
          const res = await request(`${url}/hello`, { agent });
          if (res.status === 200) ok++;
          else failures.push(`status ${res.status}`);
        } catch (err) {
          failures.push((err as NodeJS.ErrnoException).code ?? (err as Error).message);
        }
      }
    } finally {
      agent.destroy();
    }
  });
  return {
    ok: () => ok,
    failures,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function until(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The primary's account of a rolling restart: which worker started, became ready and left, in order. */
function rollingSteps(cluster: MaruCluster, from: number): string[] {
  const steps: string[] = [];
  for (const line of cluster.logs.slice(from)) {
    const pid = line.workerPid as number;
    if (line.msg === 'worker started') steps.push(`start new`);
    else if (line.msg === 'worker ready') steps.push(`ready new`);
    else if (line.msg === 'worker exited') steps.push(`${cluster.workers.includes(pid) ? 'exit old' : 'exit new'} (${String(line.cause)})`);
  }
  return steps;
}

describe('one cluster of 2 through two reloads', () => {
  let cluster: MaruCluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(() => cluster?.stop());
  let current: number[];

  test('SIGHUP while clients send requests continuously: no request fails, and the workers are replaced one at a time', async () => {
    const traffic = continuousTraffic(cluster.url);
    try {
      await until('traffic', () => traffic.ok() >= 200);
      const mark = cluster.logs.length;
      cluster.child.kill('SIGHUP');
      const done = await cluster.waitFor('the reload', (l) => l.msg === 'reload done');
      const after = traffic.ok();
      await until('traffic after the reload', () => traffic.ok() >= after + 200);
      await traffic.stop();
      assert.deepEqual(traffic.failures, [], 'no request failed');
      assert.deepEqual(rollingSteps(cluster, mark), ['start new', 'ready new', 'exit old (reload)', 'start new', 'ready new', 'exit old (reload)']);
      current = done.workerPids as number[];
      assert.equal(current.filter((pid) => cluster.workers.includes(pid)).length, 0, 'every worker was replaced');
    } finally {
      await traffic.stop();
    }
  });

  test('maru reload finds the primary through the pid file and replaces every worker; stopping removes the file', async () => {
    const pidFile = join(cluster.dataDir, 'maru.pid');
    assert.equal((await readFile(pidFile, 'utf8')).trim(), String(cluster.child.pid));
    const mark = cluster.logs.length;
    const reload = spawn(process.execPath, ['--import', 'tsx', MAIN, 'reload', '--data', cluster.dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    reload.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const [code] = (await once(reload, 'exit')) as [number];
    assert.equal(code, 0);
    assert.equal(out, `maru: asked the cluster (pid ${cluster.child.pid}) to reload: its workers are replaced one at a time\n`);
    const done = await cluster.waitFor('the second reload', (l) => l.msg === 'reload done' && cluster.logs.indexOf(l) >= mark);
    const fresh = done.workerPids as number[];
    assert.equal(fresh.filter((pid) => current.includes(pid)).length, 0);
    const answered = cluster.logs.length;
    for (let i = 0; i < 4; i++) await request(`${cluster.url}/hello`);
    await until('access lines', () => cluster.logs.slice(answered).filter((l) => l.msg === 'request').length >= 4);
    assert.ok([...servedBy(cluster.logs.slice(answered), '/hello')].every((pid) => fresh.includes(pid)), 'only the new workers answer');
    assert.equal(await cluster.stop(), 0);
    await assert.rejects(readFile(pidFile), { code: 'ENOENT' });
  });
});

test('maru reload says in one line that no cluster runs with that data directory', { timeout: 60_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'maru-no-cluster-'));
  try {
    const reload = spawn(process.execPath, ['--import', 'tsx', MAIN, 'reload', '--data', dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    reload.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const [code] = (await once(reload, 'exit')) as [number];
    assert.equal(code, 1);
    assert.equal(err, `maru: no pid file at ${join(dataDir, 'maru.pid')}: is a server running with this data directory?\n`);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
