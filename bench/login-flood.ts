// `node --import tsx bench/login-flood.ts [logins per second] [seconds]`: how a flood of logins (scrypt on libuv's
// thread pool) affects everyone else. Starts the real `maru serve` on 127.0.0.1 with a throwaway data directory,
// registers 32 members, then measures `GET /` and a static file with wrk, first quietly and then while logins
// arrive at a fixed rate (open loop: a new one every 1/rate s whether or not the earlier ones were answered, as
// from many clients), more than scrypt can serve. Correct passwords, spread over the 32 accounts: every login
// costs a full scrypt, and none is refused by login throttling (a success resets its name's count and takes its
// address's count back). The same offered load before and after, so the figures compare.
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseWrkOutput, wrkCommand, type WrkResult } from './wrk.js';

const RATE = Number(process.argv[2] ?? 40);
const SECONDS = Number(process.argv[3] ?? 10);
const MEMBERS = 32;
/** Logins in flight at most (a bound on this client, far above what the server answers in time). */
const MAX_IN_FLIGHT = 1000;
const WRK_CONNECTIONS = 8;
const member = (i: number) => ({ name: `flood-member-${i}`, password: 'flood-password-1' });

function post(url: URL, agent: Agent, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end(body);
  });
}

interface FloodResult {
  /** Answers by status; `waiting` counts logins still unanswered when the flood stopped. */
  statuses: Record<string, number>;
  /** Median and 99th percentile time to an answer (ms), of the answered logins. */
  p50: number;
  p99: number;
}

/** Posts RATE logins a second until `signal` aborts; unanswered ones are then abandoned and counted. */
async function flood(base: string, signal: AbortSignal): Promise<FloodResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
  const url = new URL('/login', base);
  const statuses: Record<string, number> = {};
  const times: number[] = [];
  let inFlight = 0;
  for (let i = 0; !signal.aborted; i++) {
    if (inFlight < MAX_IN_FLIGHT) {
      inFlight++;
      const started = performance.now();
      void post(url, agent, JSON.stringify(member(i % MEMBERS)))
        .then((status) => {
          times.push(performance.now() - started);
          statuses[status] = (statuses[status] ?? 0) + 1;
        }, () => {})
        .finally(() => inFlight--);
    }
    await sleep(1000 / RATE);
  }
  statuses.waiting = inFlight;
  agent.destroy();
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN;
  return { statuses, p50: at(0.5), p99: at(0.99) };
}

type Measured = WrkResult & { maxMs: number };

/** wrk's figures plus its slowest request (the "Latency … Max" column), which a stall once a second shows. */
async function wrk(url: string, scratchDir: string): Promise<Measured> {
  const [command, ...args] = await wrkCommand({ url, seconds: SECONDS, connections: WRK_CONNECTIONS, threads: 1, core: 1, scratchDir });
  const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  await once(child, 'close');
  const max = /^\s+Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)\b/m.exec(out);
  const unit = { us: 0.001, ms: 1, s: 1000 }[(max?.[2] ?? 'ms') as 'us' | 'ms' | 's'];
  return { ...parseWrkOutput(out), maxMs: Number(max?.[1] ?? NaN) * unit };
}

const line = (label: string, r: Measured) =>
  `${label.padEnd(44)} ${r.requestsPerSec.toFixed(0).padStart(6)} r/s   p99 ${r.p99Ms.toFixed(1).padStart(7)} ms   max ${r.maxMs.toFixed(0).padStart(5)} ms   non-2xx ${r.non2xx}`;

/**
 * `maru serve` with LOG_LEVEL=warn (no access log to skew the figures), so it prints no URL: it gets a port from
 * the ephemeral range and is polled on /healthz until it answers.
 */
async function startQuietMaru(dataDir: string) {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const main = fileURLToPath(new URL('../app/main.ts', import.meta.url));
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data', dataDir], {
    env: { ...env, LOG_LEVEL: 'warn' },
    // Its log (the error line of every 503) is written, as in production, but not shown.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) {
      return { url, stop: async () => { child.kill('SIGTERM'); await once(child, 'exit'); } };
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error('maru did not answer /healthz within 20 s');
}

/**
 * One target on a server of its own (abandoned logins keep the old server's scrypt queue busy long after a
 * flood): quietly, then during the flood.
 */
async function measure(label: string, path: string): Promise<string[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'maru-login-flood-'));
  const maru = await startQuietMaru(dataDir);
  try {
    const agent = new Agent({ keepAlive: false });
    for (let i = 0; i < MEMBERS; i++) {
      const created = await post(new URL('/users', maru.url), agent, JSON.stringify(member(i)));
      if (created !== 201) throw new Error(`registration answered ${created}`);
    }
    const quiet = line(`${label}, quiet`, await wrk(`${maru.url}${path}`, dataDir));
    const stop = new AbortController();
    const flooding = flood(maru.url, stop.signal);
    const during = await wrk(`${maru.url}${path}`, dataDir);
    stop.abort();
    const logins = await flooding;
    const { statuses, p50, p99 } = logins;
    return [quiet, `${line(`${label}, ${RATE} logins/s`, during)}   logins: ${JSON.stringify(statuses)} p50 ${p50.toFixed(0)} ms p99 ${p99.toFixed(0)} ms`];
  } finally {
    await maru.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const results = [...(await measure('GET /static/style.css', '/static/style.css')), ...(await measure('GET /', '/'))];
console.log(results.join('\n'));
