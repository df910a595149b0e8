import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const MAIN = fileURLToPath(new URL('../../app/main.ts', import.meta.url));

export type LogLine = Record<string, unknown> & { msg?: string; pid?: number };

export interface Processes {
  readonly child: ChildProcess;
  /** Every JSON log line of the primary and its workers so far (they share stdout). */
  readonly logs: LogLine[];
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Polls the logs until a line matches; rejects after `timeoutMs` naming what it waited for. */
  waitFor(what: string, match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Sends a signal to the primary and resolves with its exit code (SIGKILL after `graceMs`). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

export interface MaruCluster extends Processes {
  readonly dataDir: string;
  /** The app's first URL, as a worker logged it. */
  readonly url: string;
  readonly urls: readonly string[];
  /** The workers' pids, in the order they became ready. */
  readonly workers: readonly number[];
}

// Processes still running when this test file ends or is killed (the runner's timeout sends SIGTERM): without
// this, a primary would outlive the test that started it, with its workers.
const running = new Set<ChildProcess>();
const killAll = () => {
  for (const child of running) child.kill('SIGKILL');
};
process.once('exit', killAll);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(1);
  });
}

/** Spawns a process whose stdout is JSON log lines (and whose children share that stdout). */
export function spawnLogged(argv: readonly string[], env: Record<string, string | undefined>): Processes {
  const child = spawn(process.execPath, [...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const logs: LogLine[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as LogLine);
    } catch {
      // not a log line
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    child,
    logs,
    stderr: () => stderr,
    exited,
    async waitFor(what, match, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = logs.find(match);
        if (found !== undefined) return found;
        if (gone) throw new Error(`exited before: ${what}\nstderr: ${stderr}`);
        if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}\nstderr: ${stderr}`);
        await sleep(50);
      }
    },
    async stop(signal = 'SIGTERM', graceMs = 40_000) {
      if (gone) return (await exited).code;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const { code } = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** The environment of a maru run: no external services unless given, info logs (the access log on). */
function baseEnv(env: Record<string, string>): Record<string, string | undefined> {
  const { DATABASE_URL: _db, REDIS_URL: _redis, PORT: _port, HOST: _host, CLUSTER_WORKERS: _workers, METRICS_PORT: _metrics, ...inherited } = process.env;
  return { ...inherited, LOG_LEVEL: 'info', ...env };
}

const dataDirs: string[] = [];

/** Removes every data directory made by `startCluster` (call it in `after`). */
export async function removeDataDirs(): Promise<void> {
  await Promise.all(dataDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/**
 * `maru serve --cluster N` from source on a free port of 127.0.0.1 with a throwaway data directory; resolves once
 * the primary logs that every worker is ready. `imports` are preloaded (`node --import`) in the primary and in
 * every worker.
 */
export async function startCluster({ workers = 2, args = [], env = {}, imports = [] }: { workers?: number; args?: string[]; env?: Record<string, string>; imports?: string[] } = {}): Promise<MaruCluster> {
  const dataDir = await mkdtemp(join(tmpdir(), 'maru-cluster-'));
  dataDirs.push(dataDir);
  const preload = ['tsx', ...imports].flatMap((module) => ['--import', module]);
  const run = spawnLogged([...preload, MAIN, 'serve', '--cluster', String(workers), '--host', '127.0.0.1', '--port', '0', '--data', dataDir, ...args], baseEnv(env));
  let ready: LogLine;
  let listening: LogLine;
  try {
    ready = await run.waitFor(`${workers} workers ready`, (line) => line.msg === `cluster ready: ${workers} workers`, 90_000);
    // A worker's own lines may reach the pipe after the primary heard it was ready.
    listening = await run.waitFor('the listening line', (line) => Array.isArray(line.urls));
  } catch (err) {
    run.child.kill('SIGKILL');
    throw err;
  }
  const urls = listening.urls as string[];
  return { ...run, dataDir, url: urls[0]!, urls, workers: ready.workerPids as number[] };
}

/** The pids of the workers that served requests for `path` (from the access log). */
export function servedBy(logs: readonly LogLine[], path: string): Set<number> {
  return new Set(logs.filter((line) => line.msg === 'request' && line.path === path).map((line) => line.pid!));
}
