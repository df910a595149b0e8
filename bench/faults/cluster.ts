import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { probe } from '../probe.js';

const MAIN = fileURLToPath(new URL('../../app/main.js', import.meta.url));

export interface ClusterProcess {
  readonly pid: number;
  readonly base: string;
  /** The workers now running (children of the primary), from /proc. */
  workers(): Promise<number[]>;
  /** Warn and error lines of the primary and workers so far (LOG_LEVEL=warn: worker exits, crashes, give-ups). */
  readonly warnings: Record<string, unknown>[];
  /** CPU seconds (user + system) used so far by the primary and its live workers. */
  cpuSeconds(): Promise<number>;
  stop(): Promise<number | null>;
}

/**
 * `maru serve` built (dist/), with `--cluster N` when `workers` is given, on `port` of 127.0.0.1, logging warnings
 * only (no access log). Resolves once `/readyz` answers 200 and every worker is up.
 */
export async function startMaru({ port, dataDir, workers, env = {}, cores }: { port: number; dataDir: string; workers?: number; env?: Record<string, string>; cores?: string }): Promise<ClusterProcess> {
  const args = [MAIN, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data', dataDir, ...(workers === undefined ? [] : ['--cluster', String(workers)])];
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...inherited } = process.env;
  const argv = cores === undefined ? [process.execPath, ...args] : ['taskset', '-c', cores, process.execPath, ...args];
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { env: { ...inherited, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const warnings: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      warnings.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a log line
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  const pid = child.pid!;
  const workersOf = async () => {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
    return text.trim() === '' ? [] : text.trim().split(/\s+/).map(Number);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`maru exited with ${child.exitCode} before it was ready`);
    const status = await probe(`${base}/readyz`, { timeoutMs: 1000 }).then((a) => a.status, () => 0);
    if (status === 200 && (workers === undefined || (await workersOf()).length === workers)) break;
    if (Date.now() > deadline) throw new Error('maru was not ready within 60 s');
    await sleep(50);
  }
  return {
    pid,
    base,
    workers: workersOf,
    warnings,
    async cpuSeconds() {
      let total = 0;
      for (const p of [pid, ...(await workersOf())]) total += await cpuOf(p);
      return total;
    },
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

const CLOCK_TICKS = 100;

/** CPU seconds a process has used (user + system), from /proc; 0 once it is gone. */
async function cpuOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks / CLOCK_TICKS : 0;
}
