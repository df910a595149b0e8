import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { request } from '../core/client.js';
import { throwawayCerts } from '../tls/certs.js';
import { httpsGet } from '../tls/clients.js';
import { MAIN, removeDataDirs, servedBy, startCluster, type LogLine, type MaruCluster } from './harness.js';

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

test('SIGHUP while clients send requests continuously: no request fails, and the workers are replaced one at a time', { timeout: 120_000 }, async () => {
  const cluster = await startCluster();
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
    const fresh = done.workerPids as number[];
    assert.equal(fresh.filter((pid) => cluster.workers.includes(pid)).length, 0, 'every worker was replaced');
  } finally {
    await traffic.stop();
    assert.equal(await cluster.stop(), 0);
  }
});

test('maru reload finds the primary through the pid file and replaces every worker', { timeout: 120_000 }, async () => {
  const cluster = await startCluster();
  try {
    assert.equal((await readFile(join(cluster.dataDir, 'maru.pid'), 'utf8')).trim(), String(cluster.child.pid));
    const reload = spawn(process.execPath, ['--import', 'tsx', MAIN, 'reload', '--data', cluster.dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    reload.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const [code] = (await once(reload, 'exit')) as [number];
    assert.equal(code, 0);
    assert.equal(out, `maru: asked the cluster (pid ${cluster.child.pid}) to reload: its workers are replaced one at a time\n`);
    const done = await cluster.waitFor('the reload', (l) => l.msg === 'reload done');
    assert.equal((done.workerPids as number[]).filter((pid) => cluster.workers.includes(pid)).length, 0);
    for (let i = 0; i < 4; i++) await request(`${cluster.url}/hello`);
    await until('access lines', () => cluster.logs.filter((l) => l.msg === 'request').length >= 4);
    assert.ok([...servedBy(cluster.logs, '/hello')].every((pid) => (done.workerPids as number[]).includes(pid)), 'only the new workers answer');
  } finally {
    assert.equal(await cluster.stop(), 0);
  }
  await assert.rejects(readFile(join(cluster.dataDir, 'maru.pid')), { code: 'ENOENT' }, 'the pid file is removed on stop');
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

test('SIGHUP reaches every worker: each re-reads its certificate, and the new workers serve the new one', { timeout: 120_000 }, async () => {
  const certs = await throwawayCerts();
  const live = await mkdtemp(join(tmpdir(), 'maru-cluster-certs-'));
  const [certFile, keyFile] = [join(live, 'cert.pem'), join(live, 'key.pem')];
  await copyFile(certs.certFile, certFile);
  await copyFile(certs.keyFile, keyFile);
  const cluster = await startCluster({ args: ['--cert', certFile, '--key', keyFile] });
  try {
    assert.equal((await httpsGet(`${cluster.url}/hello`, certs.certPem)).peerCommonName, 'localhost');
    await copyFile(certs.otherCertFile, certFile);
    await copyFile(certs.otherKeyFile, keyFile);
    cluster.child.kill('SIGHUP');
    const reloaded = (l: LogLine, pid: number) => l.msg === 'certificates reloaded' && l.pid === pid;
    for (const pid of cluster.workers) await cluster.waitFor(`worker ${pid} re-read its certificate`, (l) => reloaded(l, pid));
    await cluster.waitFor('the reload', (l) => l.msg === 'reload done');
    const answer = await httpsGet(`${cluster.url}/hello`, certs.otherCertPem);
    assert.equal(answer.peerCommonName, 'other.localhost');
  } finally {
    await cluster.stop();
    await certs.cleanup();
    await rm(live, { recursive: true, force: true });
  }
});
