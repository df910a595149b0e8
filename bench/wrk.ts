import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What one wrk run measured. */
export interface WrkResult {
  readonly requestsPerSec: number;
  /** Median latency, in milliseconds. */
  readonly p50Ms: number;
  /** 99th percentile latency, in milliseconds. */
  readonly p99Ms: number;
  /** Bytes read per second (headers and bodies). */
  readonly transferPerSec: number;
  readonly requests: number;
  /** Responses with a status of 400 or more (wrk's "Non-2xx or 3xx responses"). */
  readonly non2xx: number;
  /** connect + read + write + timeout errors. */
  readonly socketErrors: number;
}

export interface WrkRun {
  readonly url: string;
  readonly seconds: number;
  readonly connections: number;
  readonly threads: number;
  /** Core wrk is pinned to with taskset. */
  readonly core: number;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A directory for the Lua script a non-GET method needs. */
  readonly scratchDir: string;
}

const TIME_UNITS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
// wrk prints sizes with binary multiples (1KB = 1024 B).
const SIZE_UNITS: Readonly<Record<string, number>> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };
const COUNT_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1e3, M: 1e6, G: 1e9 };

/**
 * Reads wrk's `--latency` report. Throws when a figure the runner relies on is missing, so a changed wrk output
 * fails loudly instead of turning into zeros.
 *
 * @example
 * parseWrkOutput(stdout).requestsPerSec; // 31234.5
 */
export function parseWrkOutput(text: string): WrkResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(text);
  const transfer = /^Transfer\/sec:\s+([\d.]+)([KMGT]?B)/m.exec(text);
  const p50 = /^\s+50%\s+([\d.]+)(us|ms|s|m|h)\b/m.exec(text);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m|h)\b/m.exec(text);
  const total = /^\s+([\d.]+)([kMG]?) requests in /m.exec(text);
  if (rps === null || transfer === null || p50 === null || p99 === null || total === null) {
    throw new Error(`unexpected wrk output (was --latency given?):\n${text.trim()}`);
  }
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  return {
    requestsPerSec: Number(rps[1]),
    p50Ms: Number(p50[1]) * TIME_UNITS[p50[2]!]!,
    p99Ms: Number(p99[1]) * TIME_UNITS[p99[2]!]!,
    transferPerSec: Number(transfer[1]) * SIZE_UNITS[transfer[2]!]!,
    requests: Math.round(Number(total[1]) * COUNT_UNITS[total[2]!]!),
    non2xx: non2xx === null ? 0 : Number(non2xx[1]),
    socketErrors: socket === null ? 0 : socket.slice(1).reduce((sum, n) => sum + Number(n), 0),
  };
}

/** The argv of one wrk run, pinned with taskset. */
export async function wrkCommand(run: WrkRun): Promise<string[]> {
  const argv = ['taskset', '-c', String(run.core), 'wrk', `-t${run.threads}`, `-c${run.connections}`, `-d${run.seconds}s`, '--latency'];
  for (const [name, value] of Object.entries(run.headers ?? {})) argv.push('-H', `${name}: ${value}`);
  if (run.method !== undefined && run.method !== 'GET') {
    // wrk sends GET unless a Lua script says otherwise.
    const script = join(run.scratchDir, `method-${run.method}.lua`);
    await writeFile(script, `wrk.method = ${JSON.stringify(run.method)}\n`);
    argv.push('-s', script);
  }
  argv.push(run.url);
  return argv;
}

/** Runs wrk to the end and parses its report; rejects with wrk's own message when it fails. */
export async function runWrk(run: WrkRun): Promise<WrkResult> {
  const [command, ...args] = await wrkCommand(run);
  const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  // wrk stops on its own after -d; the bound only guards against a hung run.
  const killer = setTimeout(() => child.kill('SIGKILL'), (run.seconds + 30) * 1000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }).finally(() => clearTimeout(killer));
  if (code !== 0) throw new Error(`wrk exited with ${code}: ${(err || out).trim()}`);
  return parseWrkOutput(out);
}
