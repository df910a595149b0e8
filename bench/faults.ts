// `npm run bench:faults`: a 2-worker cluster under wrk while workers are killed, reloaded, and Redis is restarted;
// then the cluster's throughput against one process. Writes bench/results/faults.md.
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { lostWrites, sessionStatus, signUp, watchSession, writeMembers } from './faults/clients.js';
import { startMaru, type ClusterProcess } from './faults/cluster.js';
import { privateRedis } from './faults/redis.js';
import { renderFaultReport, type FaultRun, type ThroughputRun } from './faults/report.js';
import { benchLock } from './lock.js';
import { describeMachine } from './machine.js';
import { freePort } from './probe.js';
import { machineBusy } from './quiet.js';
import { runWrk, type WrkRun } from './wrk.js';

const RESULTS = fileURLToPath(new URL('../../bench/results/faults.md', import.meta.url));
const SECONDS = wholeNumber('FAULTS_SECONDS', 60);
const THROUGHPUT_SECONDS = wholeNumber('FAULTS_THROUGHPUT_SECONDS', 15);
const CONNECTIONS = 50;
const WRK_CORE = cpus().length > 1 ? 1 : 0;

function wholeNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 5) throw new TypeError(`${name} must be a whole number of seconds, at least 5, got ${raw}`);
  return Number(raw);
}

/** Calls `fault` every `everyMs` until stopped; resolves to how many times it ran. */
function every(everyMs: number, fault: () => Promise<unknown> | void): { stop(): Promise<number> } {
  let count = 0;
  let running = true;
  const loop = (async () => {
    for (;;) {
      await sleep(everyMs);
      if (!running) return;
      await fault();
      count++;
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return count;
    },
  };
}

const unplannedExits = (cluster: ClusterProcess) => cluster.warnings.filter((l) => l.msg === 'worker exited' && l.planned === false).length;

/** One wrk run of SECONDS against a fresh SQLite cluster, with a logged-in client, a writer, and a fault. */
async function sqliteRun(work: string, name: string, fault: string, inject: ((cluster: ClusterProcess) => { stop(): Promise<number> }) | undefined): Promise<FaultRun> {
  const port = await freePort();
  const cluster = await startMaru({ port, dataDir: join(work, name), workers: 2 });
  try {
    const { cookie } = await signUp(cluster.base, `s${name}`);
    const busyBefore = await machineBusy(500);
    const session = watchSession(cluster.base, cookie);
    const writer = writeMembers(cluster.base, `w${name}`);
    const faults = inject?.(cluster);
    const wrk = await runWrk(wrkRun(`${cluster.base}/hello`, work));
    const injected = (await faults?.stop()) ?? 0;
    await Promise.all([session.stop(), writer.stop()]);
    // Whatever was acknowledged must still be there, and the session must still be valid.
    const lost = await lostWrites(cluster.base, writer.acknowledged);
    const finalStatus = await sessionStatus(cluster.base, cookie);
    const statuses = countStatuses(session.answers);
    return {
      name,
      fault,
      target: 'GET /hello',
      wrk,
      injected,
      unplannedExits: unplannedExits(cluster),
      session: { checks: session.answers.length, lost: (statuses['401'] ?? 0) + (finalStatus === 401 ? 1 : 0), failed: session.failures.length, statuses },
      writes: { acknowledged: writer.acknowledged.length, lost: lost.length, failed: writer.failures.length },
      busyBefore,
      exitCode: await cluster.stop(),
    };
  } finally {
    await cluster.stop();
  }
}

/** A cluster with sessions in a private Redis: calm, or with Redis stopped at 40 % of the run and started 5 s later. */
async function redisRun(work: string, name: string, restart: boolean): Promise<FaultRun> {
  const dir = await mkdtemp(join(work, 'redis-'));
  const redis = await privateRedis(await freePort(), dir);
  const port = await freePort();
  const cluster = await startMaru({ port, dataDir: join(work, name), workers: 2, env: { REDIS_URL: redis.url } });
  try {
    const { cookie } = await signUp(cluster.base, `s${name}`);
    const workersBefore = (await cluster.workers()).sort().join(', ');
    const busyBefore = await machineBusy(500);
    const session = watchSession(cluster.base, cookie);
    const started = performance.now();
    let downAt: number | undefined;
    let upAt: number | undefined;
    const outage = restart
      ? (async () => {
          await sleep(SECONDS * 400);
          downAt = performance.now() - started;
          await redis.stop();
          await sleep(5_000);
          await redis.start();
          upAt = performance.now() - started;
        })()
      : Promise.resolve();
    const wrk = await runWrk({ ...wrkRun(`${cluster.base}/me`, work), headers: { cookie } });
    await outage;
    await session.stop();
    const statuses = countStatuses(session.answers);
    const workersAfter = (await cluster.workers()).sort().join(', ');
    const run: FaultRun = {
      name,
      fault: restart ? 'Redis stopped, started again 5 s later' : 'none',
      target: 'GET /me (logged in)',
      wrk,
      injected: restart ? 1 : 0,
      unplannedExits: unplannedExits(cluster),
      session: { checks: session.answers.length, lost: statuses['401'] ?? 0, failed: session.failures.length, statuses },
      busyBefore,
      exitCode: await cluster.stop(),
    };
    if (!restart || downAt === undefined || upAt === undefined) return run;
    const down = downAt;
    const up = upAt;
    const recovered = session.answers.find((a) => a.at >= up && a.status === 200);
    // A request that left just before Redis went down may meet it down; one that left within 2 s of its return
    // may find the store still reconnecting.
    const outside503 = session.answers.filter((a) => a.status === 503 && (a.at < down - 100 || a.at > up + 2_000)).length;
    return { ...run, outage: { downForMs: up - down, recoveredAfterMs: recovered === undefined ? undefined : recovered.at - up, outside503, workersBefore, workersAfter } };
  } finally {
    await cluster.stop();
    await redis.stop();
  }
}

/** `/hello` for THROUGHPUT_SECONDS (after a warm-up): requests/s, and CPU per request of every server process. */
async function throughputRun(work: string, name: string, options: { workers?: number; cores: string }): Promise<ThroughputRun> {
  const port = await freePort();
  const server = await startMaru({ port, dataDir: join(work, name.replace(/\W+/g, '-')), ...options });
  try {
    await runWrk({ ...wrkRun(`${server.base}/hello`, work), seconds: 3 });
    const before = await server.cpuSeconds();
    const wrk = await runWrk({ ...wrkRun(`${server.base}/hello`, work), seconds: THROUGHPUT_SECONDS });
    const cpu = (await server.cpuSeconds()) - before;
    return { name, wrk, cpuPerRequestUs: (cpu / wrk.requests) * 1e6 };
  } finally {
    await server.stop();
  }
}

function wrkRun(url: string, scratchDir: string): WrkRun {
  return { url, seconds: SECONDS, connections: CONNECTIONS, threads: 1, core: WRK_CORE, scratchDir };
}

function countStatuses(answers: readonly { status: number }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status } of answers) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

async function main(): Promise<number> {
  for (const tool of ['wrk', 'redis-server', 'taskset']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      console.error(`bench:faults: ${tool} is not installed (apt-get install -y wrk redis-server util-linux)`);
      return 2;
    }
  }
  const machine = describeMachine();
  const say = (line: string) => console.log(line);
  say(`maru bench:faults — 5 runs of ${SECONDS} s and 3 of ${THROUGHPUT_SECONDS} s; ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
  const release = await benchLock(say);
  const work = await mkdtemp(join(tmpdir(), 'maru-faults-'));
  try {
    const runs: FaultRun[] = [];
    const record = (run: FaultRun) => {
      runs.push(run);
      const failed = run.wrk.socketErrors + run.wrk.non2xx;
      say(`  ${run.name}: ${run.wrk.requests} requests, ${failed} failed, p50 ${run.wrk.p50Ms} ms, p99 ${run.wrk.p99Ms} ms; ${run.injected} faults; session ${JSON.stringify(run.session.statuses)}, ${run.session.failed} unanswered${run.writes === undefined ? '' : `; writes ${run.writes.acknowledged} acknowledged, ${run.writes.lost} lost`}`);
    };
    say('calm baseline');
    record(await sqliteRun(work, 'calm', 'none', undefined));
    say('kill -9 of a random worker every 2 s');
    record(
      await sqliteRun(work, 'kill', 'kill -9 of a random worker every 2 s', (cluster) =>
        every(2_000, async () => {
          const workers = await cluster.workers();
          const victim = workers[Math.floor(Math.random() * workers.length)];
          if (victim !== undefined) process.kill(victim, 'SIGKILL');
        }),
      ),
    );
    say('SIGHUP every 5 s');
    record(await sqliteRun(work, 'reload', 'SIGHUP to the primary every 5 s', (cluster) => every(5_000, () => void process.kill(cluster.pid, 'SIGHUP'))));
    say('Redis sessions, calm');
    record(await redisRun(work, 'redis-calm', false));
    say('Redis restarted mid-run');
    record(await redisRun(work, 'redis-restart', true));

    say('throughput');
    const throughput: ThroughputRun[] = [];
    for (const [name, options] of [
      ['one process on core 0', { cores: '0' }],
      ['cluster of 2 on core 0 (one core for both workers)', { workers: 2, cores: '0' }],
      ['cluster of 2 on both cores (wrk shares core 1)', { workers: 2, cores: '0,1' }],
    ] as const) {
      const run = await throughputRun(work, name, options);
      throughput.push(run);
      say(`  ${name}: ${Math.round(run.wrk.requestsPerSec)} r/s, CPU/request ${run.cpuPerRequestUs.toFixed(1)} µs`);
    }
    const report = renderFaultReport({
      date: new Date().toISOString(),
      machine: `${machine.cpu} (${machine.cores} cores), Node ${machine.node}, wrk ${machine.wrk}`,
      seconds: SECONDS,
      connections: CONNECTIONS,
      runs,
      throughput,
    });
    await writeFile(RESULTS, report);
    say(`\n${report}\nwrote ${RESULTS}`);
    return 0;
  } finally {
    await release();
    await rm(work, { recursive: true, force: true });
  }
}

process.exitCode = await main().catch((err: unknown) => {
  console.error(`bench:faults: ${(err as Error).stack ?? String(err)}`);
  return 2;
});
