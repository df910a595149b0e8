// Runs every test file (unit tests beside their modules, socket and e2e tests under test/) with Node's own runner.
// Before that it says plainly what is missing here (a service, redis-server, Chromium): suites that need it skip on
// a developer's machine and fail in CI (CI=true). After it, every skipped test is listed with its reason.
import { execFile, spawn } from 'node:child_process';
import { access, readdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';

const roots = ['src', 'app', 'test'];
const only = process.argv.slice(2);

async function findTests(dir) {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const found = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'public') found.push(...(await findTests(path)));
    else if (entry.isFile() && entry.name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

function reachable(url, defaultPort) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || defaultPort) });
    socket.setTimeout(1000);
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
    socket.once('error', () => resolve(false));
  });
}

// What some suites need besides Node. On a developer's machine those suites are skipped without it (the summary at
// the end lists every skip and its reason); in CI each is a failure.
const ci = process.env.CI === 'true';
const missing = [];
const services = [
  ['PostgreSQL', process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', 5432, 'the PostgreSQL user repository, migrations and app suites'],
  ['Redis', process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', 6379, 'the RedisStore and Redis session suites'],
];
for (const [name, url, port, suites] of services) {
  if (!(await reachable(url, port))) missing.push(`${name} is not reachable at ${new URL(url).host}: ${suites}`);
}
if (!(await runs('redis-server', ['--version']))) missing.push('redis-server is not installed: the Redis outage tests (they start their own)');
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!(await exists(chromium))) missing.push(`Chromium is not at ${chromium}: the browser test`);
for (const line of missing) console.log(`${line} ${ci ? 'will FAIL (CI=true)' : 'will be SKIPPED on this machine'}.`);

function runs(command, args) {
  return new Promise((resolve) => execFile(command, args, { timeout: 30_000 }, (err) => resolve(err === null)));
}

function exists(path) {
  return access(path).then(() => true, () => false);
}

const files = only.length > 0 ? only : (await Promise.all(roots.map((r) => findTests(r)))).flat().sort();
const child = spawn(
  process.execPath,
  [
    '--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000',
    // Node's own choice of reporter (spec on a terminal, TAP otherwise), then the list of skips on stderr.
    `--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`, '--test-reporter-destination=stdout',
    `--test-reporter=${new URL('./skipped-report.mjs', import.meta.url).href}`, '--test-reporter-destination=stderr',
    ...files,
  ],
  { stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
