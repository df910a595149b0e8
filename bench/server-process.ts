import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { probe } from './probe.js';

const live = new Set<ChildProcess>();
// Linux reports CPU times in clock ticks, 100 a second on every common kernel configuration.
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** Kills every server still running (the runner calls it when it is interrupted). */
export function killServers(): void {
  for (const child of live) child.kill('SIGKILL');
}

export interface ServerProcess {
  readonly pid: number;
  /** Resolves to the answer's status once the server answers `readyPath` (any status), rejects after `timeoutMs`. */
  ready(readyPath: string, timeoutMs?: number): Promise<number>;
  /** Resident set size now, in bytes, of the server and every process it started (from /proc). */
  rss(): Promise<number | undefined>;
  /**
   * CPU time (user + system, all threads) the server and every process it started (nginx's worker, a cluster's
   * workers) have used so far, in seconds (from /proc).
   */
  cpuSeconds(): Promise<number | undefined>;
  /** SIGTERM, then SIGKILL when it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** The last lines the server wrote to stderr, to explain a failure. */
  stderrTail(): string;
}

/**
 * Starts a server pinned to one core (`taskset -c <core> …`; taskset execs, so the pid is the server's own) with
 * PORT in its environment. Its stdout goes to /dev/null, so a server that logs pays for writing, not for a pipe
 * the runner would have to drain.
 *
 * @example
 * const server = startServer(['node', 'dist/bench/servers/maru.js'], { port: 8080, core: 0 });
 * await server.ready('/hello');
 */
export function startServer(
  argv: readonly string[],
  { port, core, env = {}, cwd, tls = false, h2 = false }: { port: number; core: number; env?: Readonly<Record<string, string>>; cwd?: string; /** Probed over TLS. */ tls?: boolean; /** Probed over HTTP/2 (and TLS). */ h2?: boolean },
): ServerProcess {
  if (argv.length === 0) throw new TypeError('a contender command needs at least one argument');
  const child: ChildProcess = spawn('taskset', ['-c', String(core), ...argv], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(cwd === undefined ? {} : { cwd }),
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = signal === null ? `exited with code ${code}` : `was killed by ${signal}`;
      resolve();
    });
    child.once('error', (err) => {
      exit = `could not start: ${err.message}`;
      resolve();
    });
  });
  const base = `${tls || h2 ? 'https' : 'http'}://127.0.0.1:${port}`;

  return {
    pid: child.pid ?? -1,
    async ready(readyPath, timeoutMs = 10_000) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        if (exit !== undefined) throw new Error(`server ${exit} before answering`);
        try {
          return (await probe(base + readyPath, { timeoutMs: 1000, h2 })).status;
        } catch (err) {
          if (performance.now() > deadline) throw new Error(`server did not answer ${readyPath} within ${timeoutMs} ms (${(err as Error).message})`);
        }
        await sleep(20);
      }
    },
    rss: () => sumOverTree(child.pid, rssOf),
    async cpuSeconds() {
      const ticks = await sumOverTree(child.pid, cpuTicksOf);
      return ticks === undefined ? undefined : ticks / CLOCK_TICKS;
    },
    async stop(graceMs = 3000) {
      if (exit !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    stderrTail: () => stderr.trim().split('\n').slice(-8).join('\n'),
  };
}

/**
 * A figure summed over a process and its descendants, found through /proc/<pid>/task/<tid>/children (Linux 3.5+).
 * nginx's master does no work itself: its worker serves every request, so measuring the master alone reads 0.
 */
async function sumOverTree(pid: number | undefined, figure: (pid: number) => Promise<number | undefined>): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const own = await figure(pid);
  if (own === undefined) return undefined;
  let total = own;
  for (const child of await childrenOf(pid)) total += (await sumOverTree(child, figure)) ?? 0;
  return total;
}

async function childrenOf(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const children: number[] = [];
  for (const tid of tasks) {
    const list = await readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '');
    for (const word of list.split(' ')) if (word.trim() !== '') children.push(Number(word));
  }
  return children;
}

async function rssOf(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return kb === null ? undefined : Number(kb[1]) * 1024;
}

async function cpuTicksOf(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name (which may hold spaces, hence the last ')'): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks : undefined;
}
