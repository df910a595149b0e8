// `node --import tsx bench/scale.ts [seconds] [rounds]`: throughput through nginx with two maru instances against
// one, the set-up of deploy/ on this machine (nginx with TLS in front, PostgreSQL and Redis shared). Every
// process shares the same cores — wrk, nginx and the instances — so the figures say what the set-up costs and
// where the CPU goes, not what N machines would do: the table gives each process's CPU time per request.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { generate } from 'selfsigned';
import { startInstance, type Instance } from '../scripts/scale/instance.js';
import { DEPLOY_DIR, renderLocalNginx } from '../scripts/scale/nginx-config.js';
import { nginxBinary, startNginx, type NginxProcess } from '../scripts/scale/nginx.js';
import { checkServices } from '../scripts/scale/services.js';
import { waitForQuiet } from './quiet.js';
import { parseWrkOutput, type WrkResult } from './wrk.js';

const SECONDS = Number(process.argv[2] ?? 10);
const ROUNDS = Number(process.argv[3] ?? 3);
const CONNECTIONS = 64;
const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const NGINX_ADDRESS = '127.0.0.2';
const RESULTS = fileURLToPath(new URL('./results/scale.md', import.meta.url));
const CLOCK_TICKS = 100;

/** CPU seconds (user + system) a process has used, from /proc. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS || 0;
}

/** nginx's master and its workers. */
async function nginxPids(master: number): Promise<number[]> {
  const pids = [master];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === master) pids.push(Number(entry));
  }
  return pids;
}

/** One wrk run under /usr/bin/time, so wrk's own CPU time is known too. */
async function wrk(url: string, cookie: string): Promise<{ result: WrkResult; wrkCpu: number }> {
  // --timeout 10s: on a machine this busy a reply can take over wrk's default 2 s, which wrk would count as an error.
  const args = ['-f', 'cpu %U %S', 'wrk', '-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--timeout', '10s', '--latency', '-H', `cookie: ${cookie}`, url];
  const child = spawn('/usr/bin/time', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`wrk exited with ${code}: ${err || out}`);
  const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(err);
  return { result: parseWrkOutput(out), wrkCpu: cpu === null ? Number.NaN : Number(cpu[1]) + Number(cpu[2]) };
}

interface Setup {
  readonly name: string;
  readonly url: string;
  /** Processes whose CPU time is counted, by role. */
  readonly pids: () => Promise<Record<string, number[]>>;
}

interface Row {
  setup: string;
  path: string;
  rps: number[];
  p99: number[];
  cpu: Record<string, number>[];
  /** wrk's socket errors (connect, read, write, timeout) over every round. */
  errors: number;
}

async function main(): Promise<void> {
  const problems = await checkServices(DATABASE_URL, REDIS_URL);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const run = randomBytes(4).toString('hex');
  const schema = `maru_bench_scale_${run}`;
  const prefix = `maru-bench-scale-${run}:`;
  const dir = await mkdtemp(join(tmpdir(), 'maru-bench-scale-'));
  const instances: Instance[] = [];
  const nginxes: NginxProcess[] = [];
  try {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' });
    const tls = { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
    await writeFile(tls.certFile, pems.cert);
    await writeFile(tls.keyFile, pems.private, { mode: 0o600 });
    const env = { DATABASE_URL, DATABASE_SCHEMA: schema, REDIS_URL, REDIS_PREFIX: prefix, DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'info' };
    // info, as in production: each instance writes its access log (and pays for it).
    instances.push(...(await Promise.all(['a', 'b'].map((name) => startInstance({ name, env, trustProxy: NGINX_ADDRESS, keepLogs: false })))));
    const [a, b] = instances as [Instance, Instance];
    const deployConf = await readFile(join(DEPLOY_DIR, 'nginx.conf'), 'utf8');
    for (const [name, upstream] of [['one', [a]], ['two', [a, b]]] as const) {
      const nginxDir = join(dir, name);
      nginxes.push(
        await startNginx({
          dir: nginxDir,
          port: 0,
          config: (port) =>
            renderLocalNginx({
              deployConf,
              dir: nginxDir,
              listen: { host: '127.0.0.1', port },
              tls,
              instances: upstream.map((instance) => `127.0.0.1:${instance.port}`),
              bindAddress: NGINX_ADDRESS,
              ...(userInfo().uid === 0 ? { user: 'root' } : {}),
            }),
        }),
      );
    }
    const [nginxOne, nginxTwo] = nginxes as [NginxProcess, NginxProcess];

    const member = { name: `bench-${run}`, password: 'bench-password' };
    const post = (path: string) => fetch(`${a.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(member) });
    const created = await post('/users');
    if (created.status !== 201) throw new Error(`registering answered ${created.status}`);
    const { id } = (await created.json()) as { id: string };
    const login = await post('/login');
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;

    const setups: Setup[] = [
      { name: 'maru a alone, no nginx (plain HTTP)', url: a.url, pids: async () => ({ a: [a.child.pid!] }) },
      { name: 'nginx (TLS) → a', url: `https://127.0.0.1:${nginxOne.port}`, pids: async () => ({ nginx: await nginxPids(nginxOne.pid), a: [a.child.pid!] }) },
      { name: 'nginx (TLS) → a + b', url: `https://127.0.0.1:${nginxTwo.port}`, pids: async () => ({ nginx: await nginxPids(nginxTwo.pid), a: [a.child.pid!], b: [b.child.pid!] }) },
    ];
    const paths = ['/me', `/users/${id}`];
    const rows: Row[] = [];
    for (const path of paths) for (const setup of setups) rows.push({ setup: setup.name, path: path.replace(id, ':id'), rps: [], p99: [], cpu: [], errors: 0 });

    const busy = await waitForQuiet({ maxBusy: 0.15, timeoutMs: 120_000, say: (line) => process.stdout.write(`${line}\n`) });
    // Warm-up: every path through every setup, 2 s each (JIT, pools, keep-alive connections).
    for (const setup of setups) for (const path of paths) await wrkShort(`${setup.url}${path}`, cookie);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const path of paths) {
        for (const setup of setups) {
          const row = rows.find((r) => r.setup === setup.name && r.path === path.replace(id, ':id'))!;
          const pids = await setup.pids();
          const before = await cpuOf(pids);
          const { result, wrkCpu } = await wrk(`${setup.url}${path}`, cookie);
          const after = await cpuOf(pids);
          const cpu: Record<string, number> = { wrk: wrkCpu };
          for (const role of Object.keys(after)) cpu[role] = after[role]! - before[role]!;
          row.rps.push(result.requestsPerSec);
          row.p99.push(result.p99Ms);
          row.cpu.push(Object.fromEntries(Object.entries(cpu).map(([role, seconds]) => [role, (seconds / result.requests) * 1e6])));
          if (result.non2xx > 0) throw new Error(`${setup.name} ${path}: ${result.non2xx} answers were not 2xx`);
          row.errors += result.socketErrors;
          process.stdout.write(`round ${round} ${path.replace(id, ':id')} ${setup.name}: ${Math.round(result.requestsPerSec)} r/s\n`);
        }
      }
    }
    const report = render(rows, busy);
    process.stdout.write(`\n${report}`);
    await writeFile(RESULTS, report);
  } finally {
    for (const nginx of nginxes) await nginx.stop();
    await Promise.all(instances.map((instance) => instance.stop()));
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => admin.end());
    const redis = new Redis(REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
  }
}

async function wrkShort(url: string, cookie: string): Promise<void> {
  const child = spawn('wrk', ['-t1', `-c${CONNECTIONS}`, '-d2s', '-H', `cookie: ${cookie}`, url], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('close', resolve));
}

async function cpuOf(pids: Record<string, number[]>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [role, list] of Object.entries(pids)) out[role] = (await Promise.all(list.map(cpuSeconds))).reduce((sum, s) => sum + s, 0);
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function render(rows: Row[], busy: number | undefined): string {
  const lines = [
    `# Scale-out: nginx with two maru instances against one`,
    '',
    `${new Date().toISOString().slice(0, 10)} · ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'} · Node ${process.version} · ${nginxVersion()} · wrk -t1 -c${CONNECTIONS} -d${SECONDS}s, ${ROUNDS} rounds interleaved, medians`,
    '',
    'Everything on one machine, unpinned: wrk, nginx (1 worker, TLS, HTTP/1.1 keep-alive to the instances), the instances',
    '(access log on, as in production), PostgreSQL and Redis share the cores. CPU µs/request is each process\'s user +',
    'system time over the run divided by the requests answered (medians of the rounds).',
    `The machine was ${busy === undefined ? 'of unknown load' : `${Math.round(busy * 100)} % busy`} with other work just before the first round.`,
    '',
    '| path | set-up | requests/s | ratio to nginx → a | p99 ms | socket errors | CPU µs/request: wrk · nginx · a · b |',
    '|---|---|---:|---:|---:|---:|---|',
  ];
  for (const row of rows) {
    const base = rows.find((r) => r.path === row.path && r.setup === 'nginx (TLS) → a')!;
    const cpu = (role: string) => {
      const values = row.cpu.map((c) => c[role]).filter((v): v is number => v !== undefined && Number.isFinite(v));
      return values.length === 0 ? '–' : median(values).toFixed(0);
    };
    lines.push(
      `| \`GET ${row.path}\` | ${row.setup} | ${Math.round(median(row.rps))} | ${(median(row.rps) / median(base.rps)).toFixed(2)}× | ${median(row.p99).toFixed(1)} | ${row.errors} | ${cpu('wrk')} · ${cpu('nginx')} · ${cpu('a')} · ${cpu('b')} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function nginxVersion(): string {
  const out = spawnSync(nginxBinary() ?? 'nginx', ['-v'], { encoding: 'utf8' });
  return /nginx\/\S+/.exec(`${out.stderr}${out.stdout}`)?.[0] ?? 'nginx';
}

await main();
