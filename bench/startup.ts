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
}

export interface StartupFigures {
  /** Spawn to first 200, each run, seconds. */
  readonly startSeconds: readonly number[];
  /** VmRSS after start-up, a few requests and a short idle pause, each run, bytes. */
  readonly idleRss: readonly number[];
}

/**
 * Starts the server `runs` times: time from spawn to the first 200 on `readyPath` (polled every 2 ms on a fresh
 * connection), then a few requests, a short pause, and its resident memory from /proc. Each run's process is
 * stopped before the next starts.
 *
 * @example
 * const { startSeconds } = await measureStartup({ argv: ['node', 'dist/app/main.js', 'serve', '--port', '{port}'], readyPath: '/healthz', core: 0 });
 */
export async function measureStartup({ argv, env = {}, readyPath, warmPaths = [readyPath], runs = 10, core }: StartupRun): Promise<StartupFigures> {
  const startSeconds: number[] = [];
  const idleRss: number[] = [];
  for (let run = 0; run < runs; run++) {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const started = performance.now();
    const server = startServer(argv.map((arg) => arg.replaceAll('{port}', String(port))), { port, core, env });
    try {
      await untilOk(base + readyPath, started, () => server.stderrTail());
      startSeconds.push((performance.now() - started) / 1000);
      for (let i = 0; i < 10; i++) for (const path of warmPaths) await probe(base + path);
      await sleep(500);
      const rss = await server.rss();
      if (rss !== undefined) idleRss.push(rss);
    } finally {
      await server.stop();
    }
  }
  return { startSeconds, idleRss };
}

async function untilOk(url: string, started: number, stderr: () => string): Promise<void> {
  for (;;) {
    const status = await probe(url, { timeoutMs: 1000 }).then((a) => a.status, () => 0);
    if (status === 200) return;
    if (performance.now() - started > 10_000) throw new Error(`no 200 from ${url} within 10 s (last status ${status})\n${stderr()}`);
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
