import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, probe } from './probe.js';
import { startServer } from './server-process.js';

export interface StartupRun {
  /** The server's argv; `{port}` in an argument is replaced by the free port chosen for each run. */
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Polled until it answers 200. */
  readonly readyPath: string;
  /** Requested a few times after start-up, before the idle memory is read. */
  readonly warmPaths?: readonly string[];
  readonly runs?: number;
  readonly core: number;
  /** Pause between the warm-up requests and reading the memory, ms. */
  readonly idleMs?: number;
}

export interface StartupFigures {
  /** Spawn to first 200, each run, seconds. */
  readonly startSeconds: readonly number[];
  /** CPU time the server's threads had run when it first answered, each run, seconds. */
  readonly startCpuSeconds: readonly number[];
  /** VmRSS after start-up, a few requests and a short idle pause, each run, bytes. */
  readonly idleRss: readonly number[];
  /**
   * RssAnon at the same moment, bytes: the memory private to the process. The rest of VmRSS is pages of files
   * (node's own code, native addons), shared with every other process that maps them.
   */
  readonly idleRssAnon: readonly number[];
}

/**
 * Starts the server `runs` times: time from spawn to the first 200 on `readyPath` (polled every 2 ms on a fresh
 * connection) and the CPU time it had used by then, then a few requests, a short pause, and its resident memory
 * from /proc. Each run's process is stopped before the next starts.
 *
 * @example
 * const { startSeconds } = await measureStartup({ argv: ['node', 'dist/app/main.js', 'serve', '--port', '{port}'], readyPath: '/healthz', core: 0 });
 */
export async function measureStartup({ argv, env = {}, readyPath, warmPaths = [readyPath], runs = 10, core, idleMs = 500 }: StartupRun): Promise<StartupFigures> {
  const startSeconds: number[] = [];
  const startCpuSeconds: number[] = [];
  const idleRss: number[] = [];
  const idleRssAnon: number[] = [];
  for (let run = 0; run < runs; run++) {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const started = performance.now();
    const server = startServer(argv.map((arg) => arg.replaceAll('{port}', String(port))), { port, core, env });
    try {
      await untilOk(base + readyPath, started, () => server.stderrTail());
      startSeconds.push((performance.now() - started) / 1000);
      const cpu = await cpuSeconds(server.pid);
      if (cpu !== undefined) startCpuSeconds.push(cpu);
      // A generous bound: on a machine busy with other work, one answer may take seconds.
      for (let i = 0; i < 10; i++) for (const path of warmPaths) await probe(base + path, { timeoutMs: 10_000 });
      await sleep(idleMs);
      const memory = await memoryOf(server.pid);
      if (memory !== undefined) {
        idleRss.push(memory.rss);
        idleRssAnon.push(memory.rssAnon);
      }
    } finally {
      await server.stop();
    }
  }
  return { startSeconds, startCpuSeconds, idleRss, idleRssAnon };
}

/** VmRSS and RssAnon of a process, bytes, from /proc/<pid>/status. */
async function memoryOf(pid: number): Promise<{ rss: number; rssAnon: number } | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
  const rss = kb('VmRSS');
  const rssAnon = kb('RssAnon');
  return Number.isNaN(rss) || Number.isNaN(rssAnon) ? undefined : { rss, rssAnon };
}

/**
 * Time on a CPU of every thread of a process, in seconds, from /proc/<pid>/task/<tid>/schedstat (nanoseconds):
 * start-up is a few tens of ms, where /proc/<pid>/stat's 10 ms ticks would say little.
 */
async function cpuSeconds(pid: number): Promise<number | undefined> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const times = await Promise.all(tasks.map((tid) => readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').catch(() => '')));
  const ns = times.reduce((sum, line) => sum + (Number(line.split(' ', 1)[0]) || 0), 0);
  return ns > 0 ? ns / 1e9 : undefined;
}

async function untilOk(url: string, started: number, stderr: () => string): Promise<void> {
  for (;;) {
    const status = await probe(url, { timeoutMs: 1000 }).then((a) => a.status, () => 0);
    if (status === 200) return;
    // Far above any start-up seen, even with the machine busy with other work.
    if (performance.now() - started > 30_000) throw new Error(`no 200 from ${url} within 30 s (last status ${status})\n${stderr()}`);
    await sleep(2);
  }
}

/** The middle value (mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
