import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { WrkResult } from './wrk.js';

/** One h2load run: HTTP/2 over TLS, `clients` connections with `streams` requests in flight on each. */
export interface H2loadRun {
  readonly url: string;
  readonly seconds: number;
  readonly clients: number;
  readonly streams: number;
  /** Core h2load is pinned to with taskset. */
  readonly core: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A directory for h2load's per-request log (the latencies p99 comes from). */
  readonly scratchDir: string;
}

const SIZE_UNITS: Readonly<Record<string, number>> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/**
 * Reads h2load's report, and the durations (µs) of its per-request log for the median and the 99th percentile,
 * into the figures wrk gives, so both load generators fill the same tables. Throws when a figure is missing, so a
 * changed output fails loudly instead of turning into zeros. 4xx and 5xx answers count as wrk's "Non-2xx or 3xx";
 * failed, errored and timed-out requests as socket errors.
 *
 * @example
 * parseH2loadOutput(stdout, [812, 930, 1204]).requestsPerSec; // 48211.3
 */
export function parseH2loadOutput(text: string, durationsUs: readonly number[]): WrkResult {
  const finished = /^finished in [\d.]+m?s, ([\d.]+) req\/s, ([\d.]+)([KMG]?B)\/s/m.exec(text);
  const requests = /^requests: (\d+) total, \d+ started, (\d+) done, \d+ succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/m.exec(text);
  const statuses = /^status codes: \d+ 2xx, \d+ 3xx, (\d+) 4xx, (\d+) 5xx/m.exec(text);
  if (finished === null || requests === null || statuses === null) throw new Error(`unexpected h2load output:\n${text.trim()}`);
  const non2xx = Number(statuses[1]) + Number(statuses[2]);
  const sorted = [...durationsUs].sort((a, b) => a - b);
  const percentile = (p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)]!);
  return {
    requestsPerSec: Number(finished[1]),
    p50Ms: percentile(0.5) / 1000,
    p99Ms: percentile(0.99) / 1000,
    transferPerSec: Number(finished[2]) * SIZE_UNITS[finished[3]!]!,
    requests: Number(requests[2]),
    non2xx,
    // h2load counts a 4xx/5xx answer as failed too; those are in non2xx already.
    socketErrors: Math.max(0, Number(requests[3]) - non2xx) + Number(requests[4]) + Number(requests[5]),
  };
}

/**
 * The argv of one h2load run of `requests` requests, pinned with taskset. h2load's own timing mode (`-D`) is not
 * used: in nghttp2 1.52 it sometimes never ends, or reports 0 requests, when responses are large.
 */
export function h2loadCommand(run: H2loadRun, requests: number, logFile: string): string[] {
  const argv = ['taskset', '-c', String(run.core), 'h2load', `-c${run.clients}`, `-m${run.streams}`, '-t1', '-n', String(requests), '--log-file', logFile];
  for (const [name, value] of Object.entries(run.headers ?? {})) argv.push('-H', `${name}: ${value}`);
  argv.push(run.url);
  return argv;
}

// Requests/s last seen per URL: how many requests make a run of about `seconds`.
const lastRate = new Map<string, number>();
const CALIBRATION = 2000;

/**
 * Runs h2load for about `run.seconds` and parses its report; rejects with h2load's own message when it fails.
 * The number of requests comes from the last run on the same URL (a short calibration run first, when there is
 * none), so a run lasts about as long as a wrk run of the same seconds.
 */
export async function runH2load(run: H2loadRun): Promise<WrkResult> {
  if (!lastRate.has(run.url)) await runRequests(run, CALIBRATION);
  const rate = lastRate.get(run.url)!;
  const requests = Math.max(CALIBRATION, Math.min(Math.round(rate * run.seconds), 200_000 * run.seconds));
  return runRequests(run, requests);
}

async function runRequests(run: H2loadRun, requests: number): Promise<WrkResult> {
  const logFile = join(run.scratchDir, `h2load-${process.pid}-${Date.now()}.log`);
  const [command, ...args] = h2loadCommand(run, requests, logFile);
  const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  // h2load stops after its requests; the bound only guards against a hung run (or a far too optimistic count).
  const killer = setTimeout(() => child.kill('SIGKILL'), (run.seconds * 10 + 30) * 1000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new Error('h2load is not installed (Debian/Ubuntu: apt-get install -y nghttp2-client)') : e));
      child.once('close', resolve);
    }).finally(() => clearTimeout(killer));
    if (code !== 0) throw new Error(`h2load exited with ${code}: ${(err || out).trim()}`);
    // Each line: start time (µs since the epoch), status, µs until the response ended.
    const log = await readFile(logFile, 'utf8').catch(() => '');
    const durations = log.split('\n').flatMap((line) => {
      const duration = Number(line.split('\t')[2]);
      return Number.isFinite(duration) && line !== '' ? [duration] : [];
    });
    const result = parseH2loadOutput(out, durations);
    if (result.requestsPerSec > 0) lastRate.set(run.url, result.requestsPerSec);
    return result;
  } finally {
    await rm(logFile, { force: true });
  }
}
