// The book's cluster.js on maru (examples/cluster.ts), run as the reader runs it: a primary and its workers as real
// processes, checked over a real socket and by what the primary logs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RESTART_POLICY } from '../../src/index.js';
import { request } from '../core/client.js';
import { startExample } from './run.js';

/** Generous: a worker starts under tsx, on a machine that may be loaded. */
const WAIT_MS = 60_000;
const options = { timeout: 180_000 };

const pidOf = (body: string) => Number(/\(pid (\d+)\)/.exec(body)?.[1]);

/** The log lines whose message starts with `msg` (JSON lines on stdout; the example's own lines are not JSON). */
function logged(output: string, msg: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => typeof entry.msg === 'string' && entry.msg.startsWith(msg));
}

/** Asks `GET /` until a worker whose pid `wanted` accepts answers; a refused, cut or stuck request is asked again. */
async function answerFrom(url: string, wanted: (pid: number) => boolean): Promise<number> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    // Bounded: a connection handed to a worker as it dies may never be answered.
    const answer = await request(url, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
    const pid = answer?.status === 200 ? pidOf(answer.body) : NaN;
    if (wanted(pid)) return pid;
    if (Date.now() > deadline) throw new Error(`no answer from the wanted worker within ${WAIT_MS} ms (last: ${answer?.body ?? 'no answer'})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('cluster answers on one port from at least two worker processes', options, async () => {
  const cluster = await startExample('cluster', { env: { WORKERS: '2' } });
  try {
    const pids = new Set<number>();
    // Round-robin hands each new connection to the next worker; a few are plenty.
    for (let i = 0; i < 10 && pids.size < 2; i += 1) {
      const answer = await request(cluster.urls[0]!);
      assert.equal(answer.status, 200);
      assert.match(answer.body, /^Hello from worker \d+ \(pid \d+\)\n$/);
      pids.add(pidOf(answer.body));
    }
    assert.equal(pids.size, 2);
    assert.ok(!pids.has(cluster.child.pid!), 'the primary serves no request itself');
  } finally {
    await cluster.stop();
  }
});

test('cluster replaces a worker that exits, after the restart delay, and answers from the new one', options, async () => {
  const cluster = await startExample('cluster', { env: { WORKERS: '2', LOG_LEVEL: 'info' } });
  try {
    const url = cluster.urls[0]!;
    const crash = await request(`${url}/crash`, { method: 'POST' });
    assert.equal(crash.status, 200);
    assert.match(crash.body, /crashes in a second\n$/);
    const gone = pidOf(crash.body);
    const before = new Set(logged(cluster.output(), 'worker started').map((l) => l.workerPid));

    const fresh = await answerFrom(url, (pid) => !before.has(pid) && !Number.isNaN(pid));
    const exit = logged(cluster.output(), 'worker exited').find((l) => l.workerPid === gone);
    // The safety net's code: it drained, then exited 70.
    assert.deepEqual([exit?.cause, exit?.code], ['crash', 70]);
    const replacing = logged(cluster.output(), 'replacing the worker in');
    assert.equal(replacing.length, 1);
    assert.equal(replacing[0]!.delayMs, DEFAULT_RESTART_POLICY.initialDelay);
    assert.ok(logged(cluster.output(), 'worker started').some((l) => l.workerPid === fresh));
  } finally {
    assert.equal(await cluster.stop(), 0);
  }
});

test('cluster stops forking workers that fail at start-up: one line, exit code 1, a few forks with growing delays', options, async () => {
  const workers = 2;
  const started = Date.now();
  const cluster = await startExample('cluster', { env: { WORKERS: String(workers), CRASH_ON_START: '1', LOG_LEVEL: 'info' }, urlCount: 0 });
  const code = await Promise.race([
    cluster.exited(),
    new Promise<'running'>((resolve) => setTimeout(resolve, 120_000, 'running').unref()),
  ]);
  if (code === 'running') await cluster.stop();
  const output = cluster.output();
  assert.equal(code, 1, `exit code; output:\n${output}`);
  // The limit's failures fall within its window (60 s), or the primary would not have given up.
  assert.ok(Date.now() - started < DEFAULT_RESTART_POLICY.startFailureWindow + 30_000);

  const { startFailureLimit, initialDelay } = DEFAULT_RESTART_POLICY;
  const failures = logged(output, 'worker exited').filter((l) => l.cause === 'start-failure');
  assert.equal(failures.length, startFailureLimit);
  // Each slot's last replacement may be starting when the primary gives up: at most one fork more per other slot.
  const forks = logged(output, 'worker started').length;
  assert.ok(forks >= startFailureLimit && forks <= startFailureLimit + workers - 1, `${forks} forks`);
  // Each slot waits twice as long after each failure in a row: 100 ms, 200 ms, …
  const bySlot = new Map<unknown, unknown[]>();
  for (const l of logged(output, 'replacing the worker in')) bySlot.set(l.slot, [...(bySlot.get(l.slot) ?? []), l.delayMs]);
  assert.ok(bySlot.size > 0);
  for (const delays of bySlot.values()) assert.deepEqual(delays, delays.map((_, i) => initialDelay * 2 ** i));

  const lines = output.split('\n').filter((l) => l.startsWith('cluster: '));
  assert.deepEqual(lines, [`cluster: workers keep failing to start (${startFailureLimit} times within 60 s): cannot start (a bad deploy)`]);
});

test('cluster stops on SIGTERM with exit code 0, and its workers with it', options, async () => {
  const cluster = await startExample('cluster', { env: { WORKERS: '2' } });
  const pids = new Set<number>();
  for (let i = 0; i < 10 && pids.size < 2; i += 1) pids.add(pidOf((await request(cluster.urls[0]!)).body));
  assert.equal(await cluster.stop(), 0);
  for (const pid of pids) assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `worker ${pid} has exited`);
});
